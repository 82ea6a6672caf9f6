#!/usr/bin/env node
// Generates a big, valid CIB for the benchmarks: 5,000 ocf:pacemaker:Dummy
// primitives (r0..r4999), each with instance attributes, meta attributes and
// five operations; stonith-enabled=false so crm_verify has nothing to say.
// The output is deterministic (no dates, no randomness): same count, same bytes.
//
//   node bench/make-big-cib.mjs [OUT_FILE] [--count N]     (default: stdout, 5000)
import {writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

/** Returns the CIB text for `count` primitives (about 680 bytes each). */
export function makeBigCib(count = 5000) {
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000) throw new Error(`bad primitive count ${count}`);
  const out = [];
  out.push(
    '<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">',
    '  <configuration>',
    '    <crm_config>',
    '      <cluster_property_set id="cib-bootstrap-options">',
    '        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>',
    '        <nvpair id="cib-bootstrap-options-cluster-name" name="cluster-name" value="bench"/>',
    '      </cluster_property_set>',
    '    </crm_config>',
    '    <nodes>',
  );
  for (let n = 1; n <= 3; n++) out.push(`      <node id="${n}" uname="node${n}"/>`);
  out.push('    </nodes>', '    <resources>');
  for (let i = 0; i < count; i++) {
    const id = `r${i}`;
    const ia = `${id}-ia`;
    const ma = `${id}-ma`;
    out.push(
      `      <primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">`,
      `        <instance_attributes id="${ia}">`,
      `          <nvpair id="${ia}-st" name="state" value="/run/${id}"/>`,
      `          <nvpair id="${ia}-fk" name="fake" value="${i}"/>`,
      `          <nvpair id="${ia}-sl" name="op_sleep" value="${i % 3}"/>`,
      '        </instance_attributes>',
      `        <meta_attributes id="${ma}">`,
      `          <nvpair id="${ma}-tr" name="target-role" value="Stopped"/>`,
      `          <nvpair id="${ma}-pr" name="priority" value="${i % 10}"/>`,
      '        </meta_attributes>',
      '        <operations>',
      `          <op id="${id}-o1" name="monitor" interval="10s"/>`,
      `          <op id="${id}-o2" name="start" interval="0"/>`,
      `          <op id="${id}-o3" name="stop" interval="0"/>`,
      `          <op id="${id}-o4" name="reload" interval="0"/>`,
      `          <op id="${id}-o5" name="notify" interval="0"/>`,
      '        </operations>',
      '      </primitive>',
    );
  }
  out.push('    </resources>', '    <constraints/>', '  </configuration>', '  <status/>', '</cib>', '');
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  let count = 5000;
  let file;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--count') count = Number(args[++i]);
    else if (file === undefined) file = args[i];
    else {
      console.error('usage: node bench/make-big-cib.mjs [OUT_FILE] [--count N]');
      process.exit(2);
    }
  }
  const text = makeBigCib(count);
  if (file === undefined) process.stdout.write(text);
  else writeFileSync(file, text);
}
