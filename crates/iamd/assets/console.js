// The console's only script: progressive help. Every page works without it.
"use strict";
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  if (!source) return;
  const text = source.textContent.trim();
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    // No clipboard permission (plain HTTP): select the text so Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (status) status.textContent = "Selected: press Ctrl+C to copy.";
    return;
  }
  button.textContent = "Copied";
  if (status) status.textContent = "Copied to the clipboard.";
});

// Buttons that add another row to a list of inputs (the policy form): clone the row's
// template, empty it, and focus it.
document.addEventListener("click", (event) => {
  const add = event.target.closest("button[data-add-row]");
  if (add) {
    const list = document.getElementById(add.dataset.addRow);
    const template = list && list.querySelector("[data-row]");
    if (!template) return;
    const row = template.cloneNode(true);
    row.querySelectorAll("input, select, textarea").forEach((el) => {
      el.value = ""; el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
      el.removeAttribute("id"); // ids stay unique: the first row's label keeps its input
    });
    list.appendChild(row);
    const first = row.querySelector("input, select, textarea");
    if (first) first.focus();
    return;
  }
  const remove = event.target.closest("button[data-remove-row]");
  if (remove) {
    const row = remove.closest("[data-row]");
    const list = row && row.parentElement;
    if (list && list.querySelectorAll("[data-row]").length > 1) row.remove();
    else if (row) row.querySelectorAll("input, select, textarea").forEach((el) => { el.value = ""; });
  }
});

// Controls that only work with this script are shipped hidden; show them.
document.querySelectorAll("[data-js-only]").forEach((el) => { el.hidden = false; });

// A select that re-renders the page (the policy form's resource type): changing it presses
// the button named by data-submit, which also works by hand without the script.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit]");
  const button = select && document.getElementById(select.dataset.submit);
  if (button) button.click();
});

// A search box that hides the rows of a table that do not contain its text.
document.addEventListener("input", (event) => {
  const box = event.target.closest("input[data-filter-table]");
  const table = box && document.getElementById(box.dataset.filterTable);
  if (!table) return;
  const text = box.value.trim().toLowerCase();
  table.querySelectorAll("tbody tr").forEach((row) => {
    row.hidden = text !== "" && !row.textContent.toLowerCase().includes(text);
  });
});
