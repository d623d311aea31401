// 会议签到 — the sign-in of a meeting on a tablet passed round the room. A tap marks the person
// at once and keeps the sign-in on the tablet (localStorage) until the server has it; a sign-in
// sets the person's line, so sending it again after a lost answer changes nothing. Without this
// script every button is a plain form and works the same, one page load at a time.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("xz-data").textContent);
  var T = data.t;
  var STORE = "xz_signin_" + data.user + "_" + data.county + "_" + data.id;
  var URL = "/api/v1/meetings/" + data.county + "/" + data.id + "/sign-in";
  var sync = document.getElementById("sync");
  var roll = document.getElementById("roll");
  var sending = false;
  var timer = null;
  var delay = 3000;

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (e) { return []; }
  }
  function save(list) { localStorage.setItem(STORE, JSON.stringify(list)); }
  function say(s, cls) { sync.textContent = s; sync.className = "hint " + (cls || ""); }
  function count() {
    document.getElementById("signed").textContent = roll.querySelectorAll("li.signed").length;
  }
  // Shows a person as signed in (or not) and swaps their buttons.
  function mark(id, how) {
    var li = document.getElementById("r" + id);
    if (!li) return;
    li.classList.toggle("signed", how !== "absent");
    var state = li.querySelector(".state");
    if (state) state.textContent = T[how] || T.present;
    li.querySelectorAll("form").forEach(function (f) {
      var h = f.querySelector("input[name=how]").value;
      f.hidden = how === "absent" ? h === "absent" : h !== "absent";
    });
    count();
  }
  function pending() {
    var n = load().length;
    var close = document.querySelector("#close button");
    if (close) close.disabled = n > 0;
    if (n > 0) say(n + " " + T.waiting, "warn");
    return n;
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 60000);
  }
  function flush() {
    if (sending) return;
    var list = load();
    if (!list.length) {
      pending();
      say(T.allSent, "ok");
      return;
    }
    sending = true;
    var next = list[0];
    var done = function () {
      save(load().slice(1));
      sending = false;
      delay = 3000;
      flush();
    };
    fetch(URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(next)
    }).then(function (r) {
      if (r.ok) return done();
      if (r.status === 401) {
        sending = false;
        say(T.signIn, "warn");
        return;
      }
      if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
        // Refused for good (closed, not on the roll): said, undone on the screen, dropped.
        return r.json().catch(function () { return {}; }).then(function (p) {
          var e = (p.errors || [])[0];
          say((e ? (data.lang === "en" ? e.en : e.zh) : p.title) || ("HTTP " + r.status), "error");
          mark(next.resident_id, "absent");
          save(load().slice(1));
          sending = false;
          setTimeout(flush, 1500);
        });
      }
      throw new Error("HTTP " + r.status);
    }).catch(function () {
      sending = false;
      pending();
      if (navigator.onLine === false) say(T.offline, "warn");
      schedule();
    });
  }
  roll.addEventListener("submit", function (ev) {
    var f = ev.target;
    ev.preventDefault();
    var body = {
      resident_id: parseInt(f.querySelector("input[name=resident_id]").value, 10),
      how: f.querySelector("input[name=how]").value
    };
    var holder = f.querySelector("select[name=proxy_by]");
    if (holder) body.proxy_by = parseInt(holder.value, 10);
    var list = load();
    list.push(body);
    save(list);
    mark(body.resident_id, body.how);
    pending();
    flush();
  });
  var close = document.getElementById("close");
  if (close) close.addEventListener("submit", function (ev) {
    if (load().length) {
      ev.preventDefault();
      say(T.closeFirst, "warn");
    }
  });
  var find = document.getElementById("find");
  find.addEventListener("input", function () {
    var q = find.value.trim();
    roll.querySelectorAll("li").forEach(function (li) {
      li.hidden = q !== "" && li.getAttribute("data-find").indexOf(q) < 0;
    });
  });
  // What was tapped before a reload or a lost signal is shown and sent.
  load().forEach(function (b) { mark(b.resident_id, b.how); });
  window.addEventListener("online", function () { delay = 3000; flush(); });
  pending();
  flush();
})();
