// The public report form's map pin: when the resident ticks the box, the phone's position goes
// into the form (latitude, longitude). Nothing is read without the tick; without scripts or a
// position the report goes without one.
(function () {
  "use strict";
  var box = document.getElementById("locate-box");
  var tick = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  if (!box || !tick || !navigator.geolocation) return;
  var form = tick.form;
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  box.hidden = false;
  tick.addEventListener("change", function () {
    if (!tick.checked) {
      form.elements.latitude.value = "";
      form.elements.longitude.value = "";
      status.textContent = "";
      return;
    }
    status.textContent = zh ? "正在获取位置…" : "Finding your position…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        status.textContent = (zh ? "已附上位置（误差约" : "Position attached (within about ") +
          Math.round(pos.coords.accuracy) + (zh ? "米）" : " m)");
      },
      function () {
        tick.checked = false;
        status.textContent = zh ? "无法获取位置，可不附位置直接提交" : "The position could not be read; send the report without it";
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
