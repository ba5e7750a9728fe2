// A background import's page: ask every few seconds how far it has come, say it in the
// live region, and show the result when it is done. Without this, the "Refresh" link does.
document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector("[data-import-job]");
  if (!status) return;
  const url = new URL(window.location.href);
  url.searchParams.set("format", "json");
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const job = await response.json();
      if (job.state !== "queued" && job.state !== "running") {
        window.location.reload();
        return;
      }
      if (job.rows) {
        const text = status.dataset[job.phase === "writing" ? "writing" : "checking"];
        status.textContent = text.replace("{done}", job.done).replace("{rows}", job.rows);
      }
    } catch (error) {
      // The next tick tries again; the page stays as it is.
    }
    window.setTimeout(tick, 3000);
  };
  window.setTimeout(tick, 3000);
});
