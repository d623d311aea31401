// 打印会议材料: the print button of a meeting's papers.
(function () {
  "use strict";
  var b = document.getElementById("print");
  if (b) b.addEventListener("click", function () { window.print(); });
})();
