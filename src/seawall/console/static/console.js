// Seawall review console: keyboard shortcuts, SLA countdowns and seeking to evidence in videos.
(function () {
  "use strict";

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // A key clicks the visible, enabled element marked data-key="<key>" (verdict buttons, reveal, skip, next).
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var help = document.getElementById("help");
    if (typing(document.activeElement)) {
      if (ev.key === "Escape") document.activeElement.blur();
      return;
    }
    if (ev.key === "?") { if (help && !help.open) help.showModal(); ev.preventDefault(); return; }
    if (ev.key === "g") { window.location.href = "/console/"; return; }
    if (ev.key === "e") {
      var reason = document.getElementById("escalate-reason");
      if (reason) { reason.focus(); ev.preventDefault(); }
      return;
    }
    var target = document.querySelector('[data-key="' + CSS.escape(ev.key) + '"]');
    if (target && !target.disabled && target.offsetParent !== null) {
      ev.preventDefault();
      target.click();
    }
  });

  // SLA timers count down without reloading the page.
  function span(seconds) {
    seconds = Math.abs(Math.floor(seconds));
    if (seconds < 60) return seconds + "s";
    if (seconds < 3600) return Math.floor(seconds / 60) + "m";
    if (seconds < 86400) return Math.floor(seconds / 3600) + "h " + Math.floor((seconds % 3600) / 60) + "m";
    return Math.floor(seconds / 86400) + "d " + Math.floor((seconds % 86400) / 3600) + "h";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = (Date.parse(el.getAttribute("data-due")) - now) / 1000;
      el.textContent = left >= 0 ? "due in " + span(left) : "overdue " + span(left);
      el.classList.toggle("late", left < 0);
    });
  }
  setInterval(tick, 15000);

  // Evidence time ranges seek the (revealed, muted) video.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-seek]");
    if (!btn) return;
    var video = document.getElementById("item-video");
    if (video) { video.currentTime = parseFloat(btn.getAttribute("data-seek")); video.focus(); }
  });
})();
