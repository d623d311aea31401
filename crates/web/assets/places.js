// 地点选择 (the area picker). A form field that names a place carries `data-places="URL"` (the
// places service: `/places`, or `/places/public?county=…` on the public form). The picker adds
// one list per level below it — township, village, group, micro-grid — and a name search; what
// is chosen goes into the field (a division code) and, when the field names one with
// `data-grid-field`, the micro-grid's id into that field. Without scripts the field works as it
// is: a code typed by hand, or the village list of the public form.
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var WORDS = {
    township: zh ? "乡镇" : "Township",
    village: zh ? "村（社区）" : "Village",
    group: zh ? "村民小组" : "Villager group",
    micro: zh ? "微网格" : "Micro-grid",
    any: zh ? "（不再细分）" : "(no narrower)",
    search: zh ? "按名称查找地点" : "Find a place by name",
    none: zh ? "没有找到" : "Nothing found",
    chosen: zh ? "已选：" : "Chosen: ",
    failed: zh ? "地点列表暂时无法读取，可直接填写编码" : "The list of places cannot be read now; type the code instead",
  };

  function url(base, params) {
    var sep = base.indexOf("?") < 0 ? "?" : "&";
    var parts = [];
    for (var k in params) {
      if (params[k]) parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    }
    return base + (parts.length ? sep + parts.join("&") : "");
  }

  function load(base, params) {
    return fetch(url(base, params), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }

  var counter = 0;

  function init(field) {
    var base = field.getAttribute("data-places");
    var form = field.form;
    var gridName = field.getAttribute("data-grid-field");
    var grid = gridName && form ? form.elements[gridName] : null;
    var fromSelect = field.tagName === "SELECT";
    var box = el("div", { class: "places" });
    var status = el("p", { class: "places-status", "aria-live": "polite" });
    // After the field's label, never inside it (a label holds one control).
    (field.closest("label") || field).insertAdjacentElement("afterend", box);
    var levels = el("div", { class: "places-levels" });
    var search = el("input", { type: "search", placeholder: WORDS.search, "aria-label": WORDS.search });
    var results = el("ul", { class: "places-results" });
    box.appendChild(levels);
    box.appendChild(search);
    box.appendChild(results);
    box.appendChild(status);

    // A public form's village list stays the first level; the hidden field carries the choice.
    var target = field;
    if (fromSelect) {
      target = el("input", { type: "hidden", name: field.name });
      field.removeAttribute("name");
      form.appendChild(target);
      target.value = field.value;
      field.addEventListener("change", function () {
        choose(field.value, null, "");
        levels.textContent = "";
        open(field.value, 0);
      });
    }

    function choose(code, gridId, label) {
      target.value = code || "";
      // An empty grid field is left out of the form (it names no grid).
      if (grid) {
        grid.value = gridId || "";
        grid.disabled = !gridId;
      }
      status.textContent = label ? WORDS.chosen + label : "";
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }

    // Lists below `parent`: a select per level, deeper ones dropped when a higher one changes.
    // Each level remembers its latest request: an answer that arrives after a newer request at
    // its level or above (a quick second choice) is dropped, so no level appears twice.
    var latest = [];
    var asked = 0;
    function open(parent, depth) {
      while (levels.children.length > depth) levels.removeChild(levels.lastChild);
      var token = ++asked;
      latest.length = depth;
      latest[depth] = token;
      return load(base, { parent: parent })
        .then(function (places) {
          if (latest[depth] !== token) return;
          while (levels.children.length > depth) levels.removeChild(levels.lastChild);
          if (!places.length) return;
          var id = "places-" + ++counter;
          var label = el("label", { for: id }, WORDS[places[0].level] || "");
          var select = el("select", { id: id });
          select.appendChild(el("option", { value: "" }, WORDS.any));
          places.forEach(function (p, i) {
            var o = el("option", { value: String(i) }, p.name);
            select.appendChild(o);
          });
          var wrap = el("div", { class: "places-level" });
          wrap.appendChild(label);
          wrap.appendChild(select);
          levels.appendChild(wrap);
          select.addEventListener("change", function () {
            var p = places[Number(select.value)];
            if (!select.value || !p) {
              while (levels.children.length > depth + 1) levels.removeChild(levels.lastChild);
              choose(parent, null, "");
              return;
            }
            choose(p.code, p.grid, p.name);
            if (p.more) open(p.code, depth + 1);
            else while (levels.children.length > depth + 1) levels.removeChild(levels.lastChild);
          });
        })
        .catch(function () {
          status.textContent = WORDS.failed;
        });
    }

    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (!q) {
        results.textContent = "";
        return;
      }
      timer = setTimeout(function () {
        load(base, { q: q })
          .then(function (places) {
            results.textContent = "";
            if (!places.length) results.appendChild(el("li", {}, WORDS.none));
            places.forEach(function (p) {
              var li = el("li");
              var b = el("button", { type: "button", class: "link" }, p.label);
              b.addEventListener("click", function () {
                if (fromSelect) field.value = p.code.slice(0, 12);
                choose(p.code, p.grid, p.label);
                results.textContent = "";
                search.value = "";
                levels.textContent = "";
                if (p.more) open(p.code, 0);
              });
              li.appendChild(b);
              results.appendChild(li);
            });
          })
          .catch(function () {
            status.textContent = WORDS.failed;
          });
      }, 250);
    });

    open(fromSelect ? field.value : "", 0);
  }

  function start() {
    var fields = document.querySelectorAll("[data-places]");
    for (var i = 0; i < fields.length; i++) init(fields[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
