import { InMemoryStore } from "../../src/index.js";
import { storeContract, type Ctx } from "./contract.js";

storeContract("InMemoryStore", {
  create: async (options) => new InMemoryStore<Ctx>(options),
});
