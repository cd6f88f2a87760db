// Typesets the book's formulas once, when the site is built (run by _ext/static_math.py).
//
// Reads JSON on stdin: {mathjax: "<node_modules>/mathjax", tex: {...}, fontURL: "...",
// pages: [[fragment, ...], ...]}, where a fragment is the HTML text of one math element of a
// page (TeX with its delimiters, as the reader's browser would see it). MathJax 3 (the same
// npm package the site serves, its Node entry point) finds and typesets the math of each
// fragment exactly as it does in a page: TeX input, CommonHTML output, hidden MathML for
// screen readers. Writes JSON on stdout: for each page, the typeset fragments and the
// stylesheet they need (only the rules and characters that page uses).
"use strict";
const fs = require("fs");
const path = require("path");

const request = JSON.parse(fs.readFileSync(0, "utf8"));

require(request.mathjax)
  .init({
    loader: {
      paths: { mathjax: path.join(request.mathjax, "es5") },
      load: ["input/tex", "output/chtml", "adaptors/liteDOM", "a11y/assistive-mml"],
    },
    tex: request.tex,
    // No page to measure here: formulas come out at the size of the text around them (scale
    // 1); the page's stylesheet matches the x-height of its font instead, as MathJax would.
    chtml: { fontURL: request.fontURL, matchFontHeight: false },
    startup: { typeset: false },
  })
  .then(async (MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const output = MathJax.startup.output;
    const { mathjax } = MathJax._.mathjax;
    const pages = [];
    for (const fragments of request.pages) {
      output.clearCache(); // each page's stylesheet holds what that page uses, nothing more
      const body = fragments.map((f) => `<mjx-fragment>${f}</mjx-fragment>`).join("");
      const doc = MathJax.startup.getDocument(`<html><head></head><body>${body}</body></html>`);
      // handleRetries: a TeX extension that autoload has to fetch (\boldsymbol, \cancel, ...)
      await mathjax.handleRetriesFor(() => doc.render());
      pages.push({
        typeset: adaptor.childNodes(adaptor.body(doc.document)).map((n) => adaptor.innerHTML(n)),
        css: adaptor.textContent(output.styleSheet(doc)),
      });
    }
    process.stdout.write(JSON.stringify({ xHeight: output.font.params.x_height, pages }));
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
