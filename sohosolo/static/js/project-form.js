// Project form (/projet/): after a refused post, move the focus to the error summary so keyboard and
// screen-reader users start from the list of what to correct (each item links to its field).
const summary = document.getElementById("form-errors");
if (summary) {
  summary.focus();
}
