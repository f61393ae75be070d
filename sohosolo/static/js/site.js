// Site-wide progressive enhancements (none required: every page works without JavaScript).
document.documentElement.classList.add("js");
