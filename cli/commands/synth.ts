/** `sovra synth`: one synth of a profile into an output directory. */
import { relative } from 'node:path';
import { SovraError } from '../../core/errors.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';

const usage = `Usage: sovra synth --profile <name|file> [--out <dir>] [--lock <file>] [--charts <dir>] [--sign --key <private.pem>] [--cyclonedx 1.6|1.7] [--json | --quiet]

Synthesizes the platform for a profile and writes, from one construct tree:
  manifests/            Kubernetes objects, one file per component
  host/                 K3s/RKE2 config.yaml, audit policy, Pod Security config, registries.yaml
  terraform/            cdk.tf.json (profiles deployed with cdktf)
  oscal/                OSCAL 1.1.3 component definitions (one per component and an aggregate),
                        ssp.json (every baseline control with its status), poam.json,
                        assessment-results.json (build time), coverage.json, network.svg,
                        ssp.html (the report: self-contained, works from file://)
  sbom.cdx.json         CycloneDX SBOM: images, charts, models, the control plane's npm tree, licenses
  cbom.cdx.json         CycloneDX CBOM: algorithms, protocols, keys and certificates, with the setting of each
  SHA256SUMS            digests of every file above
  provenance.intoto.json  in-toto Statement v1 with a SLSA v1 predicate over every file
  provenance.sigstore.json  (with --sign) the statement signed: DSSE in a Sigstore bundle v0.3

Options:
  --profile <name|file>  dev, edge, cluster, or a YAML/JSON file that extends one of them
  --out <dir>            output directory (default dist/<profile name>); replaced only on success
  --lock <file>          image lock to read digests from (default: images.lock.json shipped with Sovra;
                         \`sovra lock\` and \`sovra image build\` write one)
  --charts <dir>         chart archives (<chart>-<version>.tgz): air-gapped profiles embed each in its
                         HelmChart (chartContent), checked against the pinned digest; without it they
                         name the chart in the site registry (oci://<images.registryMirror>/charts/<chart>)
  --sign                 sign the provenance (needs --key); check it with \`sovra verify\`
  --key <private.pem>    PKCS#8 ECDSA P-256 or Ed25519 key (\`sovra keygen\` writes one)
  --cyclonedx <version>  CycloneDX version of sbom.cdx.json and cbom.cdx.json: 1.6 (default) or 1.7
  --json                 print a JSON report: objects, files, every image with its digest or none, the unlocked ones
  --quiet                print nothing on success

Every object is judged by the policy rules of policies/ before anything is written: a
failed rule stops the synth (exit 6) naming rule, object, file, field and control;
warnings, waivers and exceptions are written to policy-report.json.

Images are rendered by digest where images.lock.json pins them and by tag otherwise;
the synth says how many are unlocked. A profile's images.requireDigest is enforced
where bits must be fixed: \`sovra verify --require-locked\` and the bundle.

Time stamps come from SOURCE_DATE_EPOCH, else the source commit, else 1970-01-01.
`;

/** The image lock at `file`; an unreadable or malformed one is a `bad-input` error naming it. */
async function readLock(file: string) {
  const { readFileSync } = await import('node:fs');
  const { ImageLock } = await import('../../constructs/kit/image-lock.js');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SovraError('usage', `sovra synth: --lock ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}. Name an image lock (images.lock.json format; \`sovra lock\` writes one).`);
  }
  return ImageLock.parse(text, file);
}

/** The synth command. */
export const synthCommand: Command = {
  name: 'synth',
  summary: 'Synthesize manifests, host config, OSCAL, SBOM, CBOM and provenance for a profile',
  usage,
  async run(args) {
    const { values } = parseCommandArgs('synth', args, {
      profile: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      sign: { type: 'boolean', default: false },
      key: { type: 'string' },
      lock: { type: 'string' },
      charts: { type: 'string' },
      cyclonedx: { type: 'string', default: '1.6' },
      json: { type: 'boolean', default: false },
    });
    if (!values.profile) throw new SovraError('usage', 'sovra synth: --profile is required (dev, edge, cluster, or a profile file). Run `sovra synth --help` for usage.');
    if (values.cyclonedx !== '1.6' && values.cyclonedx !== '1.7') throw new SovraError('usage', `sovra synth: --cyclonedx ${values.cyclonedx} is not supported; use 1.6 (the default) or 1.7.`);
    if (values.sign && !values.key) throw new SovraError('usage', 'sovra synth: --sign needs --key <private.pem> (create one with `sovra keygen --out <prefix>`).');
    if (values.key && !values.sign) throw new SovraError('usage', 'sovra synth: --key is used only with --sign; add --sign to sign the provenance.');
    // Loaded here, not at start-up, so other commands do not pay for cdk8s.
    const [{ loadProfile, BUILTIN_NAMES }, { synth }] = await Promise.all([import('../../profiles/load.js'), import('../../synth/synth.js')]);
    // The key is read before the synth, so a bad key fails fast and writes nothing.
    const signer = values.key ? (await import('../../supply-chain/signer.js')).LocalKeySigner.fromFile(values.key) : undefined;
    const profile = loadProfile(values.profile);
    const outDir = values.out ?? `dist/${profile.name}`;
    const profileFile = (BUILTIN_NAMES as readonly string[]).includes(values.profile) ? undefined : values.profile;
    const lock = values.lock ? await readLock(values.lock) : undefined;
    const chartArchive = values.charts ? (await import('../../synth/chart-archives.js')).chartArchivesFrom(values.charts) : undefined;
    const result = await synth({
      profile,
      profileSource: values.profile,
      outDir,
      cyclonedx: values.cyclonedx,
      ...(profileFile ? { profileFile } : {}),
      ...(signer ? { signer } : {}),
      ...(lock ? { lock } : {}),
      ...(chartArchive ? { chartArchive } : {}),
    });
    if (values.json) {
      const report = {
        profile: profile.name,
        outDir: relative(process.cwd(), result.outDir) || '.',
        objects: result.objects,
        files: result.files.length,
        images: result.images,
        unlocked: result.unlocked,
        coverage: result.coverage,
        policy: { judgements: result.policy.judgements, warnings: result.policy.warnings, waivers: result.policy.waivers.length },
        ...(signer ? { signedWith: signer.keyHint } : {}),
      };
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else if (!values.quiet) {
      process.stdout.write(`synthesized profile ${profile.name}: ${result.objects} objects, ${result.files.length} files in ${relative(process.cwd(), result.outDir) || '.'}${signer ? `, signed with key ${signer.keyHint}` : ''}\n`);
      process.stdout.write(`${result.coverage} (oscal/coverage.json, oscal/ssp.html)\n`);
      const total = new Set(result.images.map((i) => i.name)).size;
      if (result.unlocked.length > 0) {
        const gate = profile.images.requireDigest ? `; profile ${profile.name} requires digests, so \`sovra verify --require-locked\` and the bundle refuse this output until they are locked` : '';
        process.stdout.write(`${result.unlocked.length} of ${total} images are not locked by digest and are named by tag (${result.unlocked.slice(0, 3).join(', ')}${result.unlocked.length > 3 ? ', …' : ''})${gate}. \`--json\` lists them all.\n`);
        // Where a component knows more than "no digest published", say it once per reason.
        const reasons = new Map<string, { names: Set<string>; components: Set<string> }>();
        for (const i of result.images) {
          if (!i.unlockedReason) continue;
          const r = reasons.get(i.unlockedReason) ?? { names: new Set<string>(), components: new Set<string>() };
          r.names.add(i.name);
          r.components.add(i.component);
          reasons.set(i.unlockedReason, r);
        }
        for (const [reason, r] of reasons) process.stdout.write(`  ${r.names.size} of them (${[...r.components].sort().join(', ')}): ${reason}.\n`);
      }
      const p = result.policy;
      if (p.warnings.length > 0 || p.waivers.length > 0) {
        const rules = [...new Set(p.warnings.map((w) => w.rule))].join(', ');
        process.stdout.write(`policy: ${p.judgements} rule judgements, no violation; ${p.warnings.length} warning${p.warnings.length === 1 ? '' : 's'}${rules ? ` (${rules})` : ''}, ${p.waivers.length} waivers and exceptions; see policy-report.json.\n`);
      }
    }
    return 0;
  },
};
