// Matching page: totals of the chosen lines as they are ticked. Without this file the page
// still works: the server matches what was ticked and says what is left open.
(function () {
  const form = document.querySelector("[data-matching]");
  if (!form) return;
  const locale = document.documentElement.lang || "fr";
  const format = new Intl.NumberFormat(locale === "ar" ? "ar-MA" : locale + "-MA", {
    minimumFractionDigits: 2, maximumFractionDigits: 2, numberingSystem: "latn",
  });
  // The open amounts are written "1200.50": counted in centimes to stay exact.
  const cents = (text) => Math.round(Number(text) * 100) || 0;

  function totals() {
    const sums = { debit: 0, credit: 0 };
    form.querySelectorAll("input[name=line]:checked").forEach((box) => {
      sums[box.dataset.side] += cents(box.dataset.open);
    });
    form.querySelector('[data-selected="debit"]').textContent = format.format(sums.debit / 100);
    form.querySelector('[data-selected="credit"]').textContent = format.format(sums.credit / 100);
    form.querySelector('[data-selected="difference"]').textContent =
      format.format(Math.abs(sums.debit - sums.credit) / 100);
  }

  form.addEventListener("change", (event) => {
    if (event.target.matches("input[name=line]")) totals();
  });
  totals();
})();
