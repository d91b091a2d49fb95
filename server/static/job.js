// Polls a report job's status route and shows its progress. When the job
// ends, the page reloads so that the server renders the downloads or the
// error. Without JavaScript, a <noscript> refresh does the same more slowly.
(function () {
  "use strict";

  var box = document.querySelector("[data-job-status-url]");
  if (!box) {
    return;
  }

  var url = box.getAttribute("data-job-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-job-message]");
  var delay = 500;
  var failures = 0;

  function show(job) {
    if (bar && typeof job.progress === "number") {
      bar.value = job.progress;
      bar.textContent = Math.round(job.progress * 100) + "%";
    }
    if (text && job.message) {
      text.textContent = job.message;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        show(job);
        if (job.finished) {
          window.location.reload();
          return;
        }
        // Back off slowly so a long job does not poll the server every half second.
        delay = Math.min(delay * 1.25, 3000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        failures += 1;
        if (text && failures >= 3) {
          text.textContent =
            "The job status could not be read. Reload the page to try again.";
        }
        if (failures < 10) {
          window.setTimeout(poll, 3000);
        }
      });
  }

  window.setTimeout(poll, delay);
})();
