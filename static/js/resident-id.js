// Checks a resident ID number as it is typed (GB 11643: length, digits, birth date, check
// character) and says what is wrong in Chinese. The server checks again: this only saves time.
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function normalise(value) {
    return value.replace(/[\uff10-\uff19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/[\s\u3000]/g, "").toUpperCase();
  }

  function problem(id) {
    if (id.length === 0) return "";
    if (!/^[0-9]*[0-9X]?$/.test(id)) return "只能包含数字，最后一位可以是 X";
    if (id.length < 18) return "还差 " + (18 - id.length) + " 位";
    if (id.length > 18) return "多了 " + (id.length - 18) + " 位";
    var y = +id.slice(6, 10), m = +id.slice(10, 12), d = +id.slice(12, 14);
    var birth = new Date(y, m - 1, d);
    if (birth.getFullYear() !== y || birth.getMonth() !== m - 1 || birth.getDate() !== d) {
      return "出生日期 " + id.slice(6, 14) + " 不存在";
    }
    if (birth > new Date() || y < 1890) return "出生日期 " + id.slice(6, 14) + " 不合理";
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += +id[i] * WEIGHTS[i];
    if (CHECK[sum % 11] !== id[17]) return "校验位错误，请核对";
    return null;
  }

  function attach(input) {
    var hint = document.querySelector('[data-resident-id-hint="' + input.id + '"]');
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "hint";
      hint.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", hint);
    }
    input.addEventListener("input", function () {
      var id = normalise(input.value);
      var message = problem(id);
      hint.textContent = message === null ? "✓ 身份证号码有效" : message;
      hint.className = "hint " + (message === null ? "ok" : message ? "bad" : "");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-resident-id]").forEach(attach);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
