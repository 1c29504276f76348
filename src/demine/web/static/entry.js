// Data entry forms: "More lines" copies the last empty line of the items table (the server numbers lines by order).
(function () {
  "use strict";
  const button = document.getElementById("more-lines");
  if (!button) return;
  button.addEventListener("click", () => {
    const body = document.querySelector("#items tbody");
    const last = body.rows[body.rows.length - 1];
    const copy = last.cloneNode(true);
    copy.querySelectorAll("input").forEach((input) => { input.value = ""; });
    copy.querySelectorAll("select").forEach((select) => { select.selectedIndex = 0; });
    copy.querySelectorAll(".field-error").forEach((e) => e.remove());
    copy.cells[0].textContent = String(body.rows.length + 1);
    body.appendChild(copy);
  });
})();
