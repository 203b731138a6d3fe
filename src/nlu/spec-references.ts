/**
 * Cross-file checks of the intents/ vocabulary that a per-file schema cannot do: every label named in
 * clarify.yml and rules.yml is declared, label ids are unique, every regex compiles, every tracking
 * pattern names a carrier of lookups/carriers.txt.
 */
import type { IntentsSpec } from './load-intents.ts';

export interface SpecProblem {
  file: string;
  message: string;
}

function labelProblems(spec: IntentsSpec, declared: ReadonlySet<string>): SpecProblem[] {
  const out: SpecProblem[] = [];
  const seen = new Set<string>();
  for (const l of spec.labels) {
    if (seen.has(l.id)) out.push({ file: 'labels.yml', message: `标签 ${l.id} 重复声明` });
    seen.add(l.id);
  }
  const clarifyIds = [
    ...spec.clarify.pairs.flatMap((p) => p.labels),
    ...spec.clarify.fallback.options,
    ...Object.keys(spec.clarify.answers),
  ];
  for (const id of clarifyIds) {
    if (!declared.has(id)) out.push({ file: 'clarify.yml', message: `未声明的标签 ${id}` });
  }
  for (const r of spec.rules) {
    for (const id of [r.add, ...(r.remove ?? [])]) {
      if (!declared.has(id)) out.push({ file: 'rules.yml', message: `规则 ${r.id} 使用了未声明的标签 ${id}` });
    }
  }
  for (const id of Object.keys(spec.negation?.cues ?? {})) {
    if (!declared.has(id)) out.push({ file: 'rules.yml', message: `negation 使用了未声明的标签 ${id}` });
  }
  for (const r of spec.requires) {
    if (!declared.has(r.label)) out.push({ file: 'rules.yml', message: `规则 ${r.id} 使用了未声明的标签 ${r.label}` });
  }
  return out;
}

function patternProblems(spec: IntentsSpec): SpecProblem[] {
  const out: SpecProblem[] = [];
  const carriers = new Set(
    spec.lookups.filter((l) => l.type === 'carrier').flatMap((l) => l.entries.map((e) => e.source ?? e.value)),
  );
  for (const p of spec.entities.patterns) {
    try {
      new RegExp(p.regex, 'iu');
    } catch (err) {
      out.push({ file: 'entities.yml', message: `模式 ${p.name} 的正则无效：${(err as Error).message}` });
    }
    if (p.type === 'trackingNo' && (!p.source || !carriers.has(p.source))) {
      out.push({ file: 'entities.yml', message: `运单模式 ${p.name} 的 source 不在 lookups/carriers.txt 中` });
    }
  }
  return out;
}

/** Returns every cross-reference problem (empty when the vocabulary is consistent). */
export function checkSpecReferences(spec: IntentsSpec): SpecProblem[] {
  const declared = new Set(spec.labels.map((l) => l.id));
  return [...labelProblems(spec, declared), ...patternProblems(spec)];
}
