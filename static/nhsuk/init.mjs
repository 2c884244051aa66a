import { initAll } from "./nhsuk-frontend.min.js";

// The design system's components start only on a page marked as supporting them, which its own
// boilerplate does with an inline script that the site's content security policy forbids; a module
// script runs only where modules (and so the components) are supported.
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
