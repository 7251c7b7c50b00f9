import type { FieldModel, MessageModel, StructModel } from "./model.js";
import { intersect, isEmpty, sameRange, type VersionRange, versionCondition } from "./version-range.js";

/** What one message file needs from outside itself, collected while its code is emitted. */
export interface FileNeeds {
  protocolError: boolean;
  readerValue: boolean;
  readerType: boolean;
  writerValue: boolean;
  writerType: boolean;
  uuidType: boolean;
  zeroUuid: boolean;
  emptyBytes: boolean;
  skipTaggedFields: boolean;
  /** Structs whose `default…()` factory is used. */
  readonly defaultFactories: Set<StructModel>;
  /** Structs whose `isDefault…()` predicate is used. */
  readonly defaultPredicates: Set<StructModel>;
}

export function newFileNeeds(): FileNeeds {
  return {
    protocolError: false,
    readerValue: false,
    readerType: false,
    writerValue: false,
    writerType: false,
    uuidType: false,
    zeroUuid: false,
    emptyBytes: false,
    skipTaggedFields: false,
    defaultFactories: new Set(),
    defaultPredicates: new Set(),
  };
}

/** The state of emitting one struct's encoder or decoder function. */
export class StructScope {
  /** Set when the emitted body refers to the `flexible` constant. */
  usesFlexible = false;

  constructor(
    readonly message: MessageModel,
    readonly struct: StructModel,
    readonly needs: FileNeeds,
  ) {}

  /** The versions this struct's code runs at. */
  get context(): VersionRange {
    return this.struct.context;
  }

  /** The condition under which the struct is flexible, as an expression over `version`. */
  get flexibleCondition(): string {
    return versionCondition(this.message.flexibleVersions, this.context);
  }

  /**
   * How a field's variable-length parts are encoded within `fieldContext`: "true" (compact),
   * "false" (classic) or an expression; the shared `flexible` constant when it is the message's rule.
   */
  fieldFlexible(field: FieldModel, fieldContext: VersionRange): string {
    const range = field.flexibleVersions ?? this.message.flexibleVersions;
    const cond = versionCondition(range, fieldContext);
    if (cond === "true" || cond === "false") return cond;
    if (field.flexibleVersions === undefined || sameRange(range, this.message.flexibleVersions)) {
      return this.flexible();
    }
    return cond;
  }

  /** The message-level `flexible` constant (marks it used). */
  flexible(): string {
    const cond = this.flexibleCondition;
    if (cond === "true" || cond === "false") return cond;
    this.usesFlexible = true;
    return "flexible";
  }

  /** Whether a field can be null within `fieldContext`: "true", "false" or an expression. */
  nullable(field: FieldModel, fieldContext: VersionRange): string {
    return versionCondition(field.nullableVersions, fieldContext);
  }

  /** The versions a field's regular (untagged) code runs at within this struct. */
  fieldContext(field: FieldModel): VersionRange {
    return intersect(this.context, field.versions);
  }
}

/** `version >= 3` -> `version < 3`; conjunctions become disjunctions of the negated bounds. */
export function negateCondition(cond: string): string {
  if (cond === "true") return "false";
  if (cond === "false") return "true";
  const parts = cond.split(" && ").map((p) => {
    const m = /^(\w+) (>=|<=) (\d+)$/.exec(p);
    if (!m) throw new Error(`cannot negate condition ${cond}`);
    return `${m[1]} ${m[2] === ">=" ? "<" : ">"} ${m[3]}`;
  });
  return parts.length === 1 ? parts[0] : `(${parts.join(" || ")})`;
}

/** Whether a struct has any version on the wire (structs only reachable through absent fields have none). */
export function isLive(struct: StructModel): boolean {
  return !isEmpty(struct.context);
}
