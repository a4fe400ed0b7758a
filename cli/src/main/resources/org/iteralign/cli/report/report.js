// Expand or collapse every principle of the constitution timeline at once.
document.querySelectorAll('button[data-toggle]').forEach(function (button) {
  button.addEventListener('click', function () {
    var open = button.getAttribute('data-toggle') === 'open';
    document.querySelectorAll(button.getAttribute('data-target') + ' details').forEach(function (d) { d.open = open; });
  });
});
