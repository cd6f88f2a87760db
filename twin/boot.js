// Mounts every live figure of a page: <div data-twin="NAME"> runs twin/NAME.js's mount(div).
for (const root of document.querySelectorAll("[data-twin]")) {
  const name = root.dataset.twin;
  import(`./${name}.js`)
    .then((mod) => mod.mount(root))
    .catch((err) => {
      root.textContent = `The live figure could not start: ${err.message}`;
      throw err;
    });
}
