// Progressive enhancement only: every page works without this file.
// A boosted navigation swaps the body but not <html>; keep its lang and dir in step with the
// page that arrived, so that switching language (or signing in) flips right-to-left correctly.
document.addEventListener("htmx:beforeSwap", function (event) {
  var text = event.detail.xhr && event.detail.xhr.responseText;
  if (!text || !event.detail.boosted) { return; }
  var match = /<html[^>]*\slang="([^"]+)"[^>]*\sdir="(ltr|rtl)"/.exec(text.slice(0, 400));
  if (match) {
    document.documentElement.setAttribute("lang", match[1]);
    document.documentElement.setAttribute("dir", match[2]);
  }
});
