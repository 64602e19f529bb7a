// The phone's location at capture, only when the user taps the button and allows it: filled into
// the form's hidden latitude/longitude, used for photos that carry no GPS of their own.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector('[data-geo="box"]');
    if (!box || !navigator.geolocation) { return; }
    var form = box.closest("form");
    var status = box.querySelector('[data-geo="status"]');
    box.hidden = false;
    box.querySelector('[data-geo="ask"]').addEventListener("click", function () {
      status.textContent = "正在定位……";
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector('[data-geo="latitude"]').value = position.coords.latitude.toFixed(6);
        form.querySelector('[data-geo="longitude"]').value = position.coords.longitude.toFixed(6);
        status.textContent = "已附上位置：" + position.coords.latitude.toFixed(5) + ", " +
          position.coords.longitude.toFixed(5);
      }, function () {
        status.textContent = "未能定位（未允许或没有信号），照片照常上传。";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
