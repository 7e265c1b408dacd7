// The staff console's only script: the live recipient count while composing a broadcast, and a broadcast's live
// delivery progress. Both read small JSON endpoints of the console; the pages work without it.
"use strict";

function liveCount(formElement) {
  const output = document.getElementById("recipients");
  const names = ["platform", "lang", "workshop", "city", "registration", "stage", "urgent"];
  let timer = null;
  async function refresh() {
    const query = new URLSearchParams();
    for (const name of names) {
      const field = formElement.elements.namedItem(name);
      if (!field) continue;
      if (field.type === "checkbox") {
        if (field.checked) query.set(name, field.value);
      } else if (field.value) {
        query.set(name, field.value);
      }
    }
    try {
      const response = await fetch(formElement.dataset.countUrl + "?" + query.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const data = await response.json();
      output.innerHTML = data.html;  // built and escaped by the server
      output.dataset.count = data.ok ? String(data.count) : "";
    } catch (error) {
      // A failed refresh leaves the last count; the server checks the audience again on submit.
    }
  }
  formElement.addEventListener("input", (event) => {
    if (!names.includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  formElement.addEventListener("change", (event) => {
    if (names.includes(event.target.name)) refresh();
  });
}

function liveProgress(bar) {
  const text = document.getElementById("progress-text");
  const report = document.querySelector("#report table");
  const status = document.getElementById("status");
  async function poll() {
    try {
      const response = await fetch(bar.dataset.url, { credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        bar.max = Math.max(data.recipients, 1);
        bar.value = data.done;
        text.textContent = data.done + "/" + data.recipients;
        status.innerHTML = data.status_text;  // built and escaped by the server
        if (report) report.outerHTML = data.html;
        if (data.status === "done" || data.status === "cancelled") return;
      }
    } catch (error) {
      // Try again at the next beat.
    }
    setTimeout(poll, 1500);
  }
  setTimeout(poll, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  const compose = document.getElementById("compose");
  if (compose) liveCount(compose);
  const bar = document.getElementById("progress");
  if (bar) liveProgress(bar);
});
