import { randomUUID } from "node:crypto";
import pg from "pg";
import { DISPATCH_REQUESTED, deliver } from "@/lib/jobs/definitions/deliver";
import { PostgresJobDriver } from "@/lib/jobs/postgres/driver";
const url = "postgres://postgres@127.0.0.1:5432/postgres";
const schema = "koppel_tmp_claimplan";
const driver = new PostgresJobDriver({ connectionString: url, schema, definitions: [deliver], handlers: { deliver: () => import("@/lib/jobs/handlers/deliver") }, work: false });
await driver.start();
const c = new pg.Client({ connectionString: url }); await c.connect();
const { rows } = await c.query(`select pg_get_functiondef(p.oid) d from pg_proc p join pg_namespace n on n.oid=p.pronamespace where n.nspname=$1 and proname like 'koppel_claim:deliver'`, [schema]);
const def: string = rows[0].d;
const q = def.slice(def.indexOf("picked_ids := (") + "picked_ids := (".length, def.indexOf(");\n      FOREACH"));
await c.query(`set plan_cache_mode = force_generic_plan`); await c.query("set enable_seqscan=off"); await c.query("set enable_bitmapscan=off");
await c.query(`prepare q(int) as ${q}`);
const enqueue = async (n: number) => { for (let s = 0; s < n; s += 5000) await driver.enqueueEvents(Array.from({ length: Math.min(5000, n - s) }, (_, i) => ({ name: DISPATCH_REQUESTED, payload: { dispatchId: randomUUID(), concurrencyKey: `connection-${(s + i) % 50}`, throttleKey: `connection-${(s + i) % 50}` } }))); };
await enqueue(1);
await c.query("execute q(10)");
await enqueue(3000);
await c.query(`update ${schema}.job set state='completed', started_on = now() - random() * interval '50 seconds', completed_on = now() where name='deliver' and state='created'`);
await enqueue(50);
await c.query(`update ${schema}.job set state='active', started_on = now() where name='deliver' and state='created'`);
await enqueue(1500);
const show = (r: any) => r.rows.map((x:any)=>x["QUERY PLAN"]).filter((l:string)=>/Time:|^  Buffers|rows=.*loops/.test(l)).map((l:string)=>l.slice(0,200)).join("\n");
for (let i=0;i<3;i++) { const r = await c.query(`explain (analyze, buffers) execute q(10)`); if (i==2) console.log(show(r)); else console.log(r.rows.filter((x:any)=>/Execution/.test(x["QUERY PLAN"])).map((x:any)=>x["QUERY PLAN"]).join()); }
await c.query("deallocate q"); await c.query("set plan_cache_mode = force_custom_plan"); await c.query(`prepare q(int) as ${q}`);
for (let i=0;i<3;i++) { const r2 = await c.query(`explain (analyze, buffers) execute q(10)`); console.log("CUSTOM:", r2.rows.map((x:any)=>x["QUERY PLAN"]).filter((l:string)=>/Time/.test(l)).join(" ")); if (i==2) console.log(show(r2)); }
await c.query(`drop schema ${schema} cascade`); await c.end(); await driver.stop();
