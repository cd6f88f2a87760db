// Loaded just before require.js on pages whose notebook saved widget state (nb_ipywidgets_js
// in _config.yml); _ext/vendored_assets.py copies it to _build/html/_vendor/jupyter-widgets/.
(function () {
  "use strict";
  // embed-amd.js defines its modules ("@jupyter-widgets/base", ".../controls",
  // ".../html-manager/dist/libembed-amd") inline, and each finds the Font Awesome files of its
  // CSS next to the module's URL. Without paths, require.js resolves those URLs against the
  // page's folder (404s); map them all onto the folder of this script, where the fonts are.
  // require.js reads a global `require` object defined before it loads as its configuration.
  var here = document.currentScript.src.replace(/\/[^/]*$/, "");
  window.require = {
    paths: { "@jupyter-widgets": here, "@jupyter-widgets/html-manager/dist": here },
  };

  // The controls typeset widget descriptions with the MathJax 2 API (MathJax.Hub.Queue)
  // whenever window.MathJax exists; the book loads MathJax 3. Translate those calls.
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup) {
      return;
    }
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
            mj.startup.promise = mj.startup.promise.then(function () {
              return mj.typesetPromise([job[2]]);
            });
          }
        });
      },
    };
  });
})();
