// The passport's print view: the "Imprimer" button opens the browser's print dialog. Without
// JavaScript the button stays hidden and the page says to use the browser's own print command.
for (const button of document.querySelectorAll("button[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
