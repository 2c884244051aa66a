import { initAll } from "./nhsuk-frontend.min.js";
initAll();
