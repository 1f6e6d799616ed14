// gtm's own script: the small behaviours the pages need beside htmx. It is a static file so the
// Content-Security-Policy can forbid inline scripts and handlers: markup asks for a behaviour with a
// data- attribute, and the listeners below, delegated from the document, provide it.
(function () {
  "use strict";

  // Errors from htmx requests arrive as a message for #flash (the server retargets them there);
  // when no answer comes at all, say so instead of doing nothing.
  function flash(text) {
    var box = document.getElementById("flash");
    if (!box) { return; }
    box.innerHTML = "";
    var p = document.createElement("p");
    p.className = "alert error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.appendChild(p);
  }

  function isRefusal(status) {
    return status === 409 || status === 422;
  }

  // A refused form (422) or a busy step (409) comes back as HTML to show in place, inside the
  // fragments marked data-swap-refusals (the form, or the section it swaps); htmx drops 4xx bodies by default.
  function swapsRefusal(event) {
    var detail = event.detail;
    var places = [detail.requestConfig && detail.requestConfig.elt, detail.target];
    return isRefusal(detail.xhr.status) && places.some(function (place) {
      return !!(place && place.closest && place.closest("[data-swap-refusals]"));
    });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("X-Gtm-Flash") || swapsRefusal(event)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:sendError", function () {
    flash("gtm did not answer. Check your connection, then try again; nothing was changed.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("X-Gtm-Flash") || swapsRefusal(event)) { return; }
    // A refusal from outside a marked fragment is never silent: it was not shown, so say what happened.
    flash(isRefusal(xhr.status)
      ? "That was refused and nothing was changed. Reload the page to see why, then try again."
      : "That did not work (HTTP " + xhr.status + "). Reload the page and try again.");
  });

  // Dialogs loaded by htmx carry data-open: show them as modals (Esc closes them natively) and put
  // focus on their autofocus field, or else the first field that data-focus names. The attribute goes
  // once the dialog is open, so a later swap elsewhere never opens a dialog the person has closed.
  function openDialogs(root) {
    if (!root || !root.querySelectorAll) { return; }
    var found = Array.prototype.slice.call(root.querySelectorAll("dialog[data-open]"));
    if (root.matches && root.matches("dialog[data-open]")) { found.unshift(root); }
    found.forEach(function (dialog) {
      dialog.removeAttribute("data-open");
      if (!dialog.isConnected) { return; }
      dialog.gtmOpener = opener();
      if (!dialog.open) { dialog.showModal(); }
      var first = dialog.querySelector("[autofocus]") || (dialog.dataset.focus && dialog.querySelector(dialog.dataset.focus));
      if (first) { first.focus(); }
    });
  }

  // afterSwap comes in the same task as the swap itself, so a dialog is open before anyone can press a
  // key in it; htmx:load (after the settle delay) also covers content htmx adds in other ways.
  document.addEventListener("htmx:afterSwap", function () { openDialogs(document); });
  document.addEventListener("htmx:load", function (event) { openDialogs(event.detail.elt); });
  document.addEventListener("htmx:afterSettle", function () { openDialogs(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { openDialogs(document); });
  } else {
    openDialogs(document);
  }

  // "close" does not bubble, so listen in the capture phase.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog.matches && dialog.matches("dialog[data-remove-on-close]")) { dialog.remove(); }
    if (dialog.gtmOpener) { giveBackFocus(dialog.gtmOpener); }
  }, true);

  // Focus goes back where the dialog was opened from: the link or button itself, or, when a poll has
  // replaced it meanwhile, the one that now opens the same URL.
  var lastTrigger = null;
  document.addEventListener("htmx:beforeRequest", function (event) { lastTrigger = event.detail.elt; });
  function opener() {
    var active = document.activeElement;
    var from = active && active !== document.body && !active.closest("dialog") ? active : lastTrigger;
    return from ? { element: from, url: from.getAttribute("hx-get") } : null;
  }
  function giveBackFocus(from) {
    var target = from.element;
    if (!target.isConnected && from.url) {
      target = document.querySelector('[hx-get="' + CSS.escape(from.url) + '"]');
    }
    if (target && target.isConnected && (!document.activeElement || document.activeElement === document.body ||
        !document.activeElement.isConnected)) {
      target.focus();
    }
  }

  // Tab and Shift+Tab stay inside an open modal dialog, going round from its last control to its first.
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), " +
    "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    var dialog = document.querySelector("dialog[open]:modal");
    if (!dialog) { return; }
    var inside = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (element) {
      return element.getClientRects().length > 0;
    });
    if (!inside.length) { event.preventDefault(); return; }
    var first = inside[0], last = inside[inside.length - 1], active = document.activeElement;
    if (event.shiftKey && (active === first || !dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) { return; }
    var closer = target.closest("[data-close-dialog]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) { dialog.close(); }
      return;
    }
    var copier = target.closest("[data-copy]");
    if (copier) { copy(copier); }
  });

  // Copy the text of the field named by data-copy; when the clipboard is refused, select the text
  // and say how to copy it by hand.
  function copy(button) {
    var field = document.querySelector(button.dataset.copy);
    if (!field) { return; }
    function byHand() {
      field.select();
      button.textContent = "Press Ctrl+C to copy";
    }
    if (!navigator.clipboard) { byHand(); return; }
    navigator.clipboard.writeText(field.value).then(function () {
      // Said for a moment, then the button reads as before, ready to copy again.
      var label = button.dataset.copyLabel || button.textContent;
      button.dataset.copyLabel = label;
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }, byHand);
  }

  // A form marked data-confirm asks before it is sent. When the person agrees, its data-confirmed field
  // says so and the server acts at once; without scripts the field stays empty and the server asks on a page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]")) { return; }
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); return; }
    var field = form.querySelector("[data-confirmed]");
    if (field) { field.value = "yes"; }
  });

  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-select-on-focus]")) { field.select(); }
  });
})();

// Wide tables (components/tables.html): a frame whose table is wider than itself shows a hint and a fading
// edge where more columns are, and can be focused to scroll with the keyboard; a table that fits shows neither.
// Frames are measured again when they or their table change size (a window resized, <details> opened) and as
// they scroll; frames htmx brings in are picked up on htmx:load.
(function () {
  "use strict";

  function measure(frame) {
    var scroller = frame.querySelector(".table-scroll");
    var cue = frame.querySelector(".scroll-cue");
    if (!scroller) { return; }
    var overflowing = scroller.scrollWidth - scroller.clientWidth > 1;
    frame.classList.toggle("is-overflowing", overflowing);
    frame.classList.toggle("at-start", scroller.scrollLeft <= 1);
    frame.classList.toggle("at-end", scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 1);
    if (cue) { cue.hidden = !overflowing; }
    if (overflowing) {
      scroller.tabIndex = 0;
    } else {
      scroller.removeAttribute("tabindex");
    }
  }

  var resized = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var frame = entry.target.closest("[data-table-frame]");
      if (frame) { measure(frame); }
    });
  }) : null;

  function watch(root) {
    if (!root || !root.querySelectorAll) { return; }
    var frames = Array.prototype.slice.call(root.querySelectorAll("[data-table-frame]"));
    if (root.matches && root.matches("[data-table-frame]")) { frames.unshift(root); }
    frames.forEach(function (frame) {
      if (frame.dataset.tableFrameWatched) { measure(frame); return; }
      frame.dataset.tableFrameWatched = "1";
      var scroller = frame.querySelector(".table-scroll");
      if (!scroller) { return; }
      scroller.addEventListener("scroll", function () { measure(frame); }, { passive: true });
      if (resized) {
        resized.observe(scroller);
        var table = scroller.querySelector("table");
        if (table) { resized.observe(table); }
      }
      measure(frame);
    });
  }

  document.addEventListener("htmx:load", function (event) { watch(event.detail.elt); });
  window.addEventListener("resize", function () { watch(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { watch(document); });
  } else {
    watch(document);
  }
})();

// Character counts: a text field with a limit has, under it, an element marked data-char-count="<field id>"
// (the char_count macro). The page comes with "Up to 4,000 characters."; as you type, it says how many are
// left, or how many are over the limit. Characters are counted as the server counts them: a line break is one.
(function () {
  "use strict";

  function characters(text) {
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  function update(counter) {
    var field = document.getElementById(counter.dataset.charCount);
    var limit = parseInt(counter.dataset.limit, 10);
    if (!field || !limit) { return; }
    var left = limit - characters(field.value);
    var text = left >= 0
      ? left.toLocaleString("en-US") + " of " + limit.toLocaleString("en-US") + " characters left"
      : (-left).toLocaleString("en-US") + (left === -1 ? " character" : " characters") + " over the limit";
    if (counter.textContent !== text) { counter.textContent = text; }
    counter.classList.toggle("over", left < 0);
  }

  function updateAll(root) {
    if (!root || !root.querySelectorAll) { return; }
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-char-count]"));
    if (root.matches && root.matches("[data-char-count]")) { found.push(root); }
    found.forEach(update);
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.id) { return; }
    var counter = document.querySelector('[data-char-count="' + CSS.escape(field.id) + '"]');
    if (counter) { update(counter); }
  });
  // A form reset puts the values back after the event; count them once they are.
  document.addEventListener("reset", function (event) { setTimeout(function () { updateAll(event.target); }, 0); });
  document.addEventListener("htmx:load", function (event) { updateAll(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { updateAll(document); });
  } else {
    updateAll(document);
  }
})();

// The calendar (templates/calendar): a post marked data-move-form can be dragged onto a day marked data-drop-date.
// The drop writes that date into the post's own Move form and submits it, so htmx posts it as the form would be
// posted by hand (CSRF token included) and swaps the calendar the answer brings; a refusal shows in place.
(function () {
  "use strict";

  var dragged = null;

  function element(node) {
    return node && node.nodeType === 1 ? node : node && node.parentElement;
  }

  function dayAt(event) {
    var node = element(event.target);
    return dragged && node ? node.closest("[data-drop-date]") : null;
  }

  function unmark() {
    Array.prototype.forEach.call(document.querySelectorAll(".is-drop-target"), function (day) {
      day.classList.remove("is-drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var node = element(event.target);
    var card = node && node.closest("[data-move-form]");
    if (!card) { return; }
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.post || "");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragging"); }
    dragged = null;
    unmark();
  });

  document.addEventListener("dragover", function (event) {
    var day = dayAt(event);
    if (!day) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!day.classList.contains("is-drop-target")) {
      unmark();
      day.classList.add("is-drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var day = dayAt(event);
    if (!day) { return; }
    event.preventDefault();
    unmark();
    var form = document.getElementById(dragged.dataset.moveForm);
    var field = form && form.querySelector("input[name=date]");
    dragged.classList.remove("is-dragging");
    dragged = null;
    if (!field || field.defaultValue === day.dataset.dropDate) { return; }
    field.value = day.dataset.dropDate;
    if (form.requestSubmit) { form.requestSubmit(); } else { window.htmx.trigger(form, "submit"); }
  });
})();

// Live progress, said aloud: the polls replace a run's progress with a new element each time, and screen readers do
// not reliably read a live region that arrives with its words. What an element marked data-announce says is copied,
// when a swap brings it new or changed, into one polite region that stays on the page (#announcer in base.html).
// An element is known by the id of the fragment around it and its data-announce value; the page as it loads is
// not said again.
(function () {
  "use strict";

  var known = null;
  function announce() {
    var box = document.getElementById("announcer");
    var seen = {}, changed = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-announce]"), function (element) {
      var around = element.closest("[id]");
      var key = (around ? around.id : "") + "|" + element.dataset.announce;
      var text = element.textContent.replace(/\s+/g, " ").trim();
      seen[key] = seen[key] ? seen[key] + " " + text : text;
    });
    Object.keys(seen).forEach(function (key) {
      if (known !== null && seen[key] && known[key] !== seen[key]) { changed.push(seen[key]); }
    });
    known = seen;
    if (box && changed.length) { box.textContent = changed.join(". "); }
  }

  document.addEventListener("htmx:afterSettle", announce);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", announce);
  } else {
    announce();
  }
})();
