// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // "Select all on this page" for bulk actions.
  for (const box of document.querySelectorAll("[data-select-all]")) {
    const name = box.dataset.selectAll;
    const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${name}"]`);
    box.hidden = false;
    box.addEventListener("change", () => {
      for (const item of boxes()) item.checked = box.checked;
    });
  }
  // Show the loan or disposal fields only for the status that needs them.
  const target = document.querySelector("select[name=to_status]");
  const groups = document.querySelectorAll("[data-show-for]");
  if (target && groups.length) {
    const update = () => {
      for (const group of groups) group.hidden = group.dataset.showFor !== target.value;
    };
    target.addEventListener("change", update);
    update();
  }
  // The filter panel is rendered open; on a phone, close it so the results come first.
  if (window.matchMedia("(max-width: 40rem)").matches) {
    for (const panel of document.querySelectorAll("details[data-close-narrow]")) panel.open = false;
  }
  // Bring the error summary into view and focus, so screen readers announce it.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
