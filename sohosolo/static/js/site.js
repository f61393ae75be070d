// Site-wide progressive enhancements (none required: every page works without JavaScript).
document.documentElement.classList.add("js");

// Ask before destructive actions: <form data-confirm="Message">.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
