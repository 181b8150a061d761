// Loads an Automerge document saved by Gridline (Rust) with the JavaScript
// implementation and prints its contents and heads as JSON, so a Rust test can
// check that the same fields come out.
import { readFileSync } from "node:fs";
import * as A from "@automerge/automerge";

const bytes = readFileSync(process.argv[2]);
const doc = A.load(new Uint8Array(bytes));
const plain = JSON.parse(JSON.stringify(doc, (_k, v) => (v instanceof A.RawString ? v.toString() : v)));
process.stdout.write(JSON.stringify({ heads: A.getHeads(doc), doc: plain }));
