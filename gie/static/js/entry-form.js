// Entry form: live totals and difference, lines added without a round trip, keyboard flow.
// Without this file the form still works: "Add a line" submits and the server adds one.
(function () {
  const form = document.querySelector("[data-entry-form]");
  if (!form) return;
  const body = form.querySelector(".entry-lines tbody");
  const locale = document.documentElement.lang || "fr";
  const format = new Intl.NumberFormat(locale === "ar" ? "ar-MA" : locale + "-MA", {
    minimumFractionDigits: 2, maximumFractionDigits: 2, numberingSystem: "latn",
  });

  // Amounts as typed: "1 200,50" or "1200.50"; counted in centimes to stay exact.
  function cents(text) {
    let t = (text || "").replace(/[\s\u00a0\u202f]/g, "");
    if (t.includes(",") && t.includes(".")) {
      t = t.lastIndexOf(",") > t.lastIndexOf(".") ? t.replace(/\./g, "").replace(",", ".") : t.replace(/,/g, "");
    } else {
      t = t.replace(",", ".");
    }
    const value = Number(t);
    return Number.isFinite(value) ? Math.round(value * 100) : 0;
  }

  function totals() {
    let debit = 0, credit = 0;
    body.querySelectorAll(".debit").forEach((input) => { debit += cents(input.value); });
    body.querySelectorAll(".credit").forEach((input) => { credit += cents(input.value); });
    form.querySelector('[data-total="debit"]').textContent = format.format(debit / 100);
    form.querySelector('[data-total="credit"]').textContent = format.format(credit / 100);
    const difference = form.querySelector("[data-difference]");
    difference.textContent = format.format(Math.abs(debit - credit) / 100);
    difference.classList.toggle("unbalanced", debit !== credit);
    return debit - credit;
  }

  function addLine() {
    const rows = body.querySelectorAll("tr[data-line]");
    const last = rows[rows.length - 1];
    const copy = last.cloneNode(true);
    const index = rows.length;
    copy.querySelectorAll("input").forEach((input) => {
      input.name = input.name.replace(/lines-\d+-/, "lines-" + index + "-");
      input.id = input.id.replace(/lines-\d+-/, "lines-" + index + "-");
      input.value = "";
    });
    body.appendChild(copy);
    const gap = totals();
    if (gap > 0) copy.querySelector(".credit").value = (gap / 100).toFixed(2);
    if (gap < 0) copy.querySelector(".debit").value = (-gap / 100).toFixed(2);
    totals();
    copy.querySelector(".account").focus();
  }

  form.addEventListener("input", totals);
  form.querySelector("[data-add-line]").addEventListener("click", (event) => {
    event.preventDefault();
    addLine();
  });
  form.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr[data-line]");
    if (event.key === "Enter" && row && row === body.querySelector("tr[data-line]:last-of-type")) {
      event.preventDefault();
      addLine();
    }
  });
  // Typing a debit clears the credit of the same line, and the other way round.
  body.addEventListener("change", (event) => {
    const row = event.target.closest("tr[data-line]");
    if (!row || !event.target.value) return;
    if (event.target.classList.contains("debit")) row.querySelector(".credit").value = "";
    if (event.target.classList.contains("credit")) row.querySelector(".debit").value = "";
    totals();
  });
  totals();
})();
