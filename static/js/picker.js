// Search-as-you-type pickers (portal.pickers, templates/portal/picker.html).
//
// htmx fetches the matches into the listbox as the user types; this file does the
// rest of the ARIA combobox: ArrowDown/ArrowUp move through the matches, Enter picks
// (without submitting the form), Escape closes, a click picks too. The picked id goes
// in the hidden input named as the form field (a crew picker adds a chip instead), and
// a "change" event tells the form (the ticket's live preview listens for it). Typing
// itself is not a change of the form: the input events stop at the picker.
(function () {
  "use strict";

  var SEARCH = "_search";

  function optionsOf(list) {
    return Array.prototype.slice.call(
      list.querySelectorAll('[role="option"]:not([aria-disabled="true"])')
    );
  }

  function changed(element) {
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function attach(picker) {
    if (picker.dataset.pickerReady) {
      return;
    }
    picker.dataset.pickerReady = "1";
    var input = picker.querySelector("[data-picker-input]");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var hidden = picker.querySelector("[data-picker-value]");
    var chips = picker.querySelector("[data-picker-chips]");
    var name = picker.dataset.name;
    var label = input.labels && input.labels[0];
    list.setAttribute("aria-label", (label ? label.textContent.trim() : name) + ": matches");

    function isOpen() {
      return !list.hidden;
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function active() {
      var id = input.getAttribute("aria-activedescendant");
      return id ? document.getElementById(id) : null;
    }

    function activate(option) {
      optionsOf(list).forEach(function (o) {
        o.setAttribute("aria-selected", o === option ? "true" : "false");
      });
      if (option) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function move(step) {
      var options = optionsOf(list);
      if (!options.length) {
        return;
      }
      var at = options.indexOf(active());
      var next = at < 0 ? (step > 0 ? 0 : options.length - 1) : at + step;
      next = Math.max(0, Math.min(options.length - 1, next));
      activate(options[next]);
    }

    function addChip(value, text) {
      if (chips.querySelector('[data-value="' + CSS.escape(value) + '"]')) {
        return false;
      }
      var chip = document.createElement("li");
      chip.className = "chip chip-neutral";
      chip.dataset.pickerChip = "";
      chip.dataset.value = value;
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.value = value;
      var shown = document.createElement("span");
      shown.textContent = text;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.dataset.pickerRemove = "";
      remove.setAttribute("aria-label", "Take " + text + " off");
      remove.textContent = "×";
      chip.append(field, shown, " ", remove);
      chips.append(chip);
      return true;
    }

    function pick(option) {
      var value = option.dataset.value;
      var text = option.dataset.label;
      close();
      if (chips) {
        input.value = "";
        if (addChip(value, text)) {
          changed(chips);
        }
      } else {
        input.value = text;
        hidden.value = value;
        changed(hidden);
      }
    }

    // The search asks for `q`, not the text box's own form name (`<field>_search`).
    input.addEventListener("htmx:configRequest", function (event) {
      event.detail.parameters.q = input.value;
      delete event.detail.parameters[name + SEARCH];
    });

    list.addEventListener("htmx:afterSwap", function () {
      optionsOf(list).forEach(function (option, i) {
        option.id = list.id + "-" + i;
      });
      list.querySelectorAll('[aria-disabled="true"]').forEach(function (note, i) {
        note.id = list.id + "-note-" + i;
      });
      activate(null);
      if (document.activeElement === input) {
        open();
      }
    });

    picker.addEventListener("input", function (event) {
      if (event.target !== input) {
        return;
      }
      event.stopPropagation();
      // What is typed no longer names the row picked before.
      if (hidden && hidden.value) {
        hidden.value = "";
        changed(hidden);
      }
    });
    picker.addEventListener("change", function (event) {
      if (event.target === input) {
        event.stopPropagation();
      }
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!isOpen()) {
          if (optionsOf(list).length) {
            open();
          } else {
            htmx.trigger(input, "picker:open");
            return;
          }
        }
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && isOpen()) {
        // Enter picks; it never submits the form from an open list (a lone match
        // is picked even when it was not highlighted).
        event.preventDefault();
        var options = optionsOf(list);
        var option = active() || (options.length === 1 ? options[0] : null);
        if (option) {
          pick(option);
        }
      } else if (event.key === "Escape" && isOpen()) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", close);
    // A click on a match must not take the focus away (and close the list) first.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option && option.getAttribute("aria-disabled") !== "true") {
        pick(option);
      }
    });

    picker.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-picker-remove]");
      if (!remove) {
        return;
      }
      var chip = remove.closest("[data-picker-chip]");
      chip.remove();
      changed(chips);
      input.focus();
    });
  }

  htmx.onLoad(function (root) {
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-picker]"));
    if (root.matches && root.matches("[data-picker]")) {
      found.push(root);
    }
    found.forEach(attach);
  });
})();
