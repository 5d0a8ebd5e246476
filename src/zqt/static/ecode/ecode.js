/* Enterprise code pages: draw dynamic codes in the browser (vendored qrcode-generator) and keep
   them fresh; poll the login-by-code status. No framework, no network but our own API. */
(function () {
  "use strict";

  function draw(el, text, mode) {
    var qr = qrcode(0, "M");
    qr.addData(text, mode || "Alphanumeric");
    qr.make();
    el.innerHTML = qr.createSvgTag({ cellSize: 5, margin: 4, scalable: true });
    el.setAttribute("data-version", String((qr.getModuleCount() - 17) / 4));
  }

  function dynamicCode(root) {
    var box = root.querySelector("[data-qr]");
    var countdown = root.querySelector("[data-countdown]");
    var link = root.querySelector("[data-link]");
    var status = root.querySelector("[data-status]");
    var expiresAt = 0;
    var skew = 0;

    function refresh() {
      fetch(root.getAttribute("data-endpoint"), { credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          if (!res.ok) { status.textContent = res.body.message || "动态码获取失败"; return; }
          var code = res.body;
          skew = code.issued_at - Math.floor(Date.now() / 1000);
          expiresAt = code.expires_at;
          draw(box, code.url);
          box.setAttribute("data-token", code.token);
          if (link) { link.href = "/C/" + code.token; }
          status.textContent = "";
          countdown.textContent = code.ttl + " 秒后自动刷新";
          root.setAttribute("data-state", "ready");
        })
        .catch(function () { status.textContent = "网络异常，稍后自动重试"; });
    }

    function tick() {
      var left = expiresAt - (Math.floor(Date.now() / 1000) + skew);
      if (expiresAt && left > 0) { countdown.textContent = left + " 秒后自动刷新"; }
      // Refresh a little before expiry so the code on screen is always usable.
      if (!expiresAt || left <= 5) { expiresAt = 0; refresh(); }
    }

    var button = root.querySelector("[data-refresh]");
    if (button) { button.addEventListener("click", function () { expiresAt = 0; refresh(); }); }
    refresh();
    setInterval(tick, 1000);
  }

  function loginPoll(root) {
    // The login URL is uppercase (selectors.login_code_url): alphanumeric mode, like the codes.
    draw(root.querySelector("[data-qr]"), root.getAttribute("data-approve-url"), "Alphanumeric");
    var status = root.querySelector("[data-status]");
    var timer = setInterval(function () {
      fetch(root.getAttribute("data-poll"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (b) {
          if (b.state === "done") { clearInterval(timer); window.location.href = b.next; }
          else if (b.state === "expired") { clearInterval(timer); status.textContent = b.message; }
        });
    }, 1500);
  }

  document.querySelectorAll("[data-dynamic-code]").forEach(dynamicCode);
  document.querySelectorAll("[data-login-code]").forEach(loginPoll);
})();
