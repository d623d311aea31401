// 网格员移动上报 — the grid worker's report page. Reports are kept on the phone (localStorage)
// until the server has them; each carries an idempotency key made when it was written, so a resend
// after a lost answer or a dropped signal never files a second case. No library, no build step:
// plain ES2015 for old phones.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("xz-data").textContent);
  var T = data.t;
  var STORE = "xz_outbox_" + data.user;
  var form = document.getElementById("report");
  var statusEl = document.getElementById("status");
  var sending = false;
  var timer = null;
  var delay = 5000;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || [];
    } catch (e) {
      return [];
    }
  }
  function save(list) {
    localStorage.setItem(STORE, JSON.stringify(list));
  }
  function newKey() {
    var b = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(b);
    return "m-" + Array.prototype.map.call(b, function (x) {
      return (x + 256).toString(16).slice(1);
    }).join("");
  }
  function update(key, change) {
    var list = load();
    list.forEach(function (item) {
      if (item.body.idempotency_key === key) {
        Object.keys(change).forEach(function (k) { item[k] = change[k]; });
      }
    });
    // Keep the last 20 sent reports as a receipt; waiting and refused ones stay until dealt with.
    var sent = list.filter(function (i) { return i.state === "sent"; });
    var drop = sent.slice(0, Math.max(0, sent.length - 20));
    save(list.filter(function (i) { return drop.indexOf(i) < 0; }));
  }
  function text(tag, cls, s) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = s;
    return el;
  }
  function when(ms) {
    var d = new Date(ms);
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }
  function render() {
    var list = load();
    var waiting = list.filter(function (i) { return i.state === "waiting"; });
    var refused = list.filter(function (i) { return i.state === "refused"; });
    var sent = list.filter(function (i) { return i.state === "sent"; }).reverse();
    document.getElementById("waiting-count").textContent = waiting.length;
    fill("waiting", waiting, function (i) {
      var parts = [text("span", "when", when(i.created)), text("span", "", i.body.description)];
      if (i.photos && i.photos.length) parts.push(text("span", "when", T.photos + " " + i.photos.length));
      return parts;
    });
    fill("refused", refused, function (i) {
      var b = text("button", "link", T.discard);
      b.type = "button";
      b.onclick = function () {
        save(load().filter(function (x) { return x.body.idempotency_key !== i.body.idempotency_key; }));
        render();
      };
      return [text("span", "", i.body.description), text("span", "error", i.error || ""), b];
    });
    fill("sent", sent, function (i) {
      var a = text("a", "", "#" + i.id);
      a.href = "/cases/" + i.id;
      return [a, text("span", "", i.body.description)];
    });
    document.getElementById("refused-box").hidden = refused.length === 0;
  }
  function fill(id, items, parts) {
    var ul = document.getElementById(id);
    ul.textContent = "";
    if (!items.length) {
      ul.appendChild(text("li", "empty", T.none));
      return;
    }
    items.forEach(function (i) {
      var li = document.createElement("li");
      li.setAttribute("data-key", i.body.idempotency_key);
      parts(i).forEach(function (p) { li.appendChild(p); });
      ul.appendChild(li);
    });
  }
  function say(s, cls) {
    statusEl.textContent = s;
    statusEl.className = "status " + (cls || "");
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 120000);
  }
  function describe(p) {
    var zh = data.lang !== "en";
    var parts = (p.errors || []).map(function (e) {
      return e.field + ": " + (zh ? e.zh : e.en);
    });
    return parts.length ? parts.join("; ") : (zh ? p.title_zh : p.title) || p.detail || "";
  }
  // Sends the waiting reports one at a time, oldest first.
  function flush() {
    if (sending) return;
    var next = load().filter(function (i) { return i.state === "waiting"; })[0];
    if (!next) {
      say(navigator.onLine === false ? T.offline : T.allSent, "ok");
      render();
      return;
    }
    sending = true;
    say(T.sending);
    var key = next.body.idempotency_key;
    var moveOn = function () {
      delay = 5000;
      sending = false;
      flush();
    };
    if (next.id) {
      // The case is filed: its photos follow one by one. The server keeps identical content
      // once, so a photo resent after a lost answer is not attached twice; a photo it refuses is
      // dropped so the rest can go.
      var photoDone = function () {
        var rest = next.photos.slice(1);
        update(key, rest.length ? { photos: rest } : { state: "sent", photos: [], sent: Date.now() });
        moveOn();
      };
      post("/api/v1/cases/" + next.id + "/files?name=photo-" + next.photos.length + ".jpg", "image/jpeg",
        toBlob(next.photos[0]), function () { photoDone(); }, function () { photoDone(); });
      return;
    }
    post("/api/v1/cases", "application/json", JSON.stringify(next.body), function (r) {
      return r.json().then(function (c) {
        var photos = next.photos && next.photos.length;
        update(key, photos ? { id: c.id } : { state: "sent", id: c.id, sent: Date.now() });
        moveOn();
      });
    }, function (p) {
      update(key, { state: "refused", error: describe(p) });
      moveOn();
    });
  }
  // One request of the outbox: `accepted(response)` on 200/201, `refused(problem)` when the
  // server says no for good; a lapsed session waits for a new sign-in, anything else (no signal,
  // a timeout, a server error) is retried later.
  function post(url, type, body, accepted, refused) {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": type, accept: "application/json" },
      body: body
    }).then(function (r) {
      if (r.status === 200 || r.status === 201) return accepted(r);
      if (r.status === 401) {
        sending = false;
        say(T.signIn, "warn");
        document.getElementById("signin").hidden = false;
        render();
        return;
      }
      if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
        return r.json().catch(function () { return {}; }).then(refused);
      }
      throw new Error("HTTP " + r.status);
    }).catch(function () {
      sending = false;
      say(navigator.onLine === false ? T.offline : T.waitingSignal, "warn");
      render();
      schedule();
    });
  }
  function toBlob(dataUrl) {
    var bin = atob(dataUrl.split(",")[1]);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type: "image/jpeg" });
  }
  // A photo made small enough to keep on the phone and send on a slow line: at most 1280 px
  // on its longer side, JPEG.
  function shrink(file) {
    return new Promise(function (resolve) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () {
        var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.width * scale));
        canvas.height = Math.max(1, Math.round(img.height * scale));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        resolve(canvas.toDataURL("image/jpeg", 0.7));
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        resolve(null);
      };
      img.src = url;
    });
  }
  function keep(body, photos) {
    var list = load();
    list.push({ state: "waiting", created: Date.now(), body: body, photos: photos || [] });
    try {
      save(list);
    } catch (e) {
      // The phone's storage is full: keep the report, without its photos.
      list[list.length - 1].photos = [];
      save(list);
      say(T.photosTooBig, "warn");
    }
    form.reset();
    render();
    delay = 5000;
    flush();
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var f = form.elements;
    var body = {
      idempotency_key: newKey(),
      category: f.category.value,
      division_code: f.division_code.value,
      urgency: f.urgency.value,
      reporter_kind: f.reporter_kind.value,
      reporter_name: f.reporter_name.value.trim() || null,
      description: f.description.value.trim()
    };
    if (!body.description) {
      say(T.needDescription, "warn");
      return;
    }
    var files = Array.prototype.slice.call(f.photo.files || [], 0, 5);
    Promise.all(files.map(shrink)).then(function (shrunk) {
      var photos = shrunk.filter(function (p) { return p; });
      if (f.locate.checked && navigator.geolocation) {
        say(T.locating);
        navigator.geolocation.getCurrentPosition(function (pos) {
          body.latitude = pos.coords.latitude;
          body.longitude = pos.coords.longitude;
          keep(body, photos);
        }, function () { keep(body, photos); }, { timeout: 10000, maximumAge: 300000 });
      } else {
        keep(body, photos);
      }
    });
  });
  window.addEventListener("online", function () {
    delay = 5000;
    flush();
  });
  window.addEventListener("offline", function () { say(T.offline, "warn"); });
  document.getElementById("retry").addEventListener("click", function () {
    delay = 5000;
    flush();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/m/sw.js").catch(function () {});
  }
  render();
  flush();
})();
