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

// Ranking questions work without JavaScript as numbered selects. With it, each option also gets
// "Move up" / "Move down" buttons (keyboard-operable); moving renumbers the selects, so the form
// sends exactly what a person choosing numbers would, and a live region says where it went.
function enhanceRankings(root) {
  var lists = root.querySelectorAll ? root.querySelectorAll("ol[data-ranking]:not([data-enhanced])") : [];
  Array.prototype.forEach.call(lists, function (list) {
    if (list.closest("fieldset[disabled]")) { return; }
    list.setAttribute("data-enhanced", "");
    var status = list.parentNode.querySelector("[data-ranking-status]");
    var items = Array.prototype.slice.call(list.children);
    var placed = items.every(function (item) { return item.querySelector("select").value; });
    if (placed) {
      items.sort(function (a, b) { return a.querySelector("select").value - b.querySelector("select").value; });
      items.forEach(function (item) { list.appendChild(item); });
    }
    function renumber(moved) {
      Array.prototype.forEach.call(list.children, function (item, index) {
        item.querySelector("select").value = String(index + 1);
      });
      if (moved && status) {
        var place = Array.prototype.indexOf.call(list.children, moved) + 1;
        status.textContent = list.getAttribute("data-moved").replace("%(place)s", place)
          .replace("%(option)s", moved.querySelector("label").textContent.trim());
      }
    }
    items.forEach(function (item) {
      var moves = document.createElement("span");
      moves.className = "ranking__moves";
      [["up", -1], ["down", 1]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = list.getAttribute("data-move-" + pair[0]);
        var label = item.querySelector("label").textContent.trim();
        button.setAttribute("aria-label", button.textContent + ": " + label);
        button.addEventListener("click", function () {
          var sibling = pair[1] < 0 ? item.previousElementSibling : item.nextElementSibling;
          if (!sibling) { return; }
          list.insertBefore(item, pair[1] < 0 ? sibling : sibling.nextElementSibling);
          renumber(item);
          button.focus();
        });
        moves.appendChild(button);
      });
      item.appendChild(moves);
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { enhanceRankings(document); });
document.addEventListener("htmx:load", function (event) { enhanceRankings(event.detail.elt); });

// Bulk comment entry: "More rows" submits the form (keeping what was typed) without JavaScript;
// with it, one empty row is fetched with htmx and added in place, and focus moves into it.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-add-row]") : null;
  if (!button || !window.htmx) { return; }
  event.preventDefault();
  var count = document.getElementById("row-count");
  var index = parseInt(count.value, 10);
  window.htmx.ajax("GET", button.getAttribute("data-add-row") + "?index=" + index,
    {target: "#comment-rows", swap: "beforeend"}).then(function () {
    count.value = String(index + 1);
    var row = document.getElementById("row-" + index);
    if (row) { row.querySelector("select, textarea").focus(); }
  });
});
