// Inlined by _ext/static_math.py into a page whose formulas hold a character MathJax's fonts
// lack (mjx-utext, e.g. a double-struck 1). MathJax draws it in the page's font at the size of
// the text around the formula and, in the browser, computes that size from the scale it gives
// the formula; the formulas of this page were typeset when the site was built, so the same
// is done here, with the scale the page's stylesheet gave each formula.
for (const text of document.querySelectorAll("mjx-utext")) {
  const math = text.closest("mjx-container");
  const size = (e) => parseFloat(getComputedStyle(e).fontSize);
  const scale = size(math) / size(math.parentElement);
  text.style.fontSize = `${100 / scale}%`;
  text.style.padding = `${0.75 * scale}em 0 ${0.2 * scale}em`;
}
