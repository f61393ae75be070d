// Recurrence builder of the series form: shows only the fields that matter for the chosen frequency
// (the RRULE text for « Règle personnalisée », no last date for « Une seule fois »). Without
// JavaScript every field stays visible, and the server ignores the ones that do not apply.

const builder = document.querySelector("[data-recurrence-builder]");

function update() {
  const checked = builder.querySelector('input[name="frequency"]:checked');
  const frequency = checked ? checked.value : "";
  const show = {
    custom_rrule: frequency === "custom",
    until: frequency !== "once",
    exdates: frequency !== "once",
  };
  for (const [name, visible] of Object.entries(show)) {
    const wrapper = builder.querySelector(`[data-when-field="${name}"]`);
    if (!wrapper) continue;
    const hasError = wrapper.querySelector(".errorlist");
    wrapper.hidden = !visible && !hasError;
  }
}

if (builder) {
  builder.addEventListener("change", (event) => {
    if (event.target.name === "frequency") update();
  });
  update();
}
