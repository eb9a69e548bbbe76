// Starts Swagger UI on the API reference page (/docs/api). A file of its own, not an inline
// script, so the page's Content-Security-Policy can allow scripts from this origin only.
(() => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // The default sends the document to validator.swagger.io for a badge: nothing leaves this host.
    validatorUrl: null,
    displayOperationId: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 1,
    persistAuthorization: false,
  });
})();
