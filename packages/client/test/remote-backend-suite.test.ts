import { backendSuite } from "../../../test/backend/backend-suite.js";
import { openRemoteUnderTest } from "./support/remote-under-test.js";

let opened = 0;

backendSuite("remote client → Writ server (SQLite)", {
  open: (clock) => openRemoteUnderTest(clock, `remote-suite-${++opened}`),
});
