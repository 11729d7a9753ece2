// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:responseError", function (e) {
  var box = document.getElementById("htmx-error");
  if (box) { box.textContent = "Permintaan gagal (" + e.detail.xhr.status + "). Coba lagi."; box.hidden = false; }
});
document.addEventListener("change", function (e) {
  if (e.target.matches("[data-autosubmit]")) { e.target.form.submit(); }
});
