#!/usr/bin/env python3
"""Independent verifier for custody evidence bundles (for auditors).

Checks, without custody itself, that one ledger entry is included in the
ledger whose checkpoint was signed by the key you trust:

  1. parse the verifier key  name+keyid+base64(0x01 || Ed25519 public key);
  2. check the checkpoint's Ed25519 signature by that key (and S < L);
  3. check the checkpoint's origin equals the key name;
  4. hash the entry as an RFC 6962 leaf: SHA-256(0x00 || entry bytes);
  5. recompute the root from the inclusion path (RFC 9162 section 2.1.3.2)
     and compare it with the checkpoint's root.

Bundle format (docs/formats/evidence-bundle.md):
    custody evidence bundle v1
    entry <base64 of the exact canonical entry bytes>
    <blank line>
    <C2SP tlog-proof (c2sp.org/tlog-proof), ending with the signed checkpoint>

Formats: c2sp.org/signed-note, c2sp.org/tlog-checkpoint, c2sp.org/tlog-proof;
custody's profile: docs/formats/checkpoint.md.

Usage: verify-evidence.py BUNDLE (--key VKEY | --key-file FILE)
Prints the entry and "OK", exit 0; otherwise "FAILED: <reason>", exit 1.
Needs Python 3 and python3-cryptography, or the openssl command (3.x).
"""
import argparse, base64, binascii, hashlib, os, subprocess, sys, tempfile

EM_DASH_SPACE = "\u2014 "
# Ed25519 group order: a signature with S >= L is malleable and refused.
L = 2**252 + 27742317777372353535851937790883648493


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def b64decode(text, what):
    """Standard base64, canonical only (one spelling per value)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Failure(f"{what}: not valid base64")
    check(base64.b64encode(raw).decode() == text, f"{what}: non-canonical base64")
    return raw


def decimal(text, what):
    check(text.isascii() and text.isdigit() and (text == "0" or text[0] != "0"),
          f"{what} {text!r} is not a plain decimal without leading zeros")
    value = int(text)
    check(value < 2**64, f"{what} is too large")
    return value


def key_id(name, public_key):
    return hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4]


def parse_verifier_key(vkey):
    parts = vkey.strip().split("+", 2)
    check(len(parts) == 3, "verifier key must look like name+keyid+base64key")
    name, id_hex, key_b64 = parts
    check(name and not any(c.isspace() or ord(c) < 0x20 for c in name), "bad key name")
    raw = b64decode(key_b64, "verifier key")
    check(len(raw) == 33 and raw[0] == 0x01, "verifier key is not an Ed25519 (0x01) key")
    check(id_hex == key_id(name, raw[1:]).hex(), "verifier key ID does not match the key")
    return name, raw[1:]


def ed25519_verify(public_key, message, signature):
    if int.from_bytes(signature[32:], "little") >= L:
        return False  # Checked first: some libraries accept S >= L.
    if not os.environ.get("CUSTODY_VERIFY_FORCE_OPENSSL"):
        try:
            from cryptography.exceptions import InvalidSignature
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        except ImportError:
            pass
        else:
            try:
                Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
                return True
            except (InvalidSignature, ValueError):
                return False
    # Fallback: openssl. The public key as DER SubjectPublicKeyInfo (RFC 8410).
    spki = bytes.fromhex("302a300506032b6570032100") + public_key
    with tempfile.TemporaryDirectory() as d:
        files = {"key.der": spki, "msg": message, "sig": signature}
        for n, data in files.items():
            with open(os.path.join(d, n), "wb") as f:
                f.write(data)
        p = lambda n: os.path.join(d, n)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
                            "-inkey", p("key.der"), "-rawin", "-in", p("msg"),
                            "-sigfile", p("sig")], capture_output=True)
        return r.returncode == 0


def open_signed_note(note, name, public_key):
    """Returns the note text if it carries a valid signature by the key."""
    check("\r" not in note, "checkpoint has CR characters (CRLF line endings)")
    check(all(c == "\n" or ord(c) >= 0x20 for c in note), "checkpoint has control characters")
    check(note.endswith("\n"), "checkpoint does not end in a newline (truncated?)")
    split = note.rfind("\n\n")
    check(split >= 0, "checkpoint has no signature lines")
    text, sig_lines = note[:split + 1], note[split + 2:-1].split("\n")
    check(0 < len(sig_lines) <= 100, "checkpoint has no or too many signature lines")
    verified = False
    for line in sig_lines:
        check(line.startswith(EM_DASH_SPACE), "signature line does not start with an em dash")
        signer, _, sig_b64 = line[len(EM_DASH_SPACE):].partition(" ")
        check(signer and "+" not in signer and not any(c.isspace() for c in signer),
              "signature line has an invalid key name")
        blob = b64decode(sig_b64, "signature")
        if signer != name or blob[:4] != key_id(name, public_key):
            continue  # Another key (e.g. a witness): ignored, as the spec says.
        check(not verified, "two signatures by the same key")
        check(len(blob) == 68 and ed25519_verify(public_key, text.encode(), blob[4:]),
              "the checkpoint signature does not verify: the checkpoint was altered")
        verified = True
    check(verified, f"the checkpoint is not signed by the key {name} (wrong key?)")
    return text


def root_from_inclusion_proof(index, size, leaf_hash, proof):
    """RFC 9162 section 2.1.3.2."""
    check(index < size, f"entry index {index} is beyond the tree size {size}")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        check(sn != 0, "inclusion proof is too long")
        if fn % 2 == 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    check(sn == 0, "inclusion proof is too short")
    return r


def verify_bundle(bundle, vkey):
    name, public_key = parse_verifier_key(vkey)
    check("\r" not in bundle, "bundle has CR characters (CRLF line endings)")
    header, entry_line, blank, proof = (bundle.split("\n", 3) + ["", "", ""])[:4]
    check(header == "custody evidence bundle v1", "not a custody evidence bundle v1")
    check(entry_line.startswith("entry ") and blank == "", "bundle has no entry line")
    entry = b64decode(entry_line[len("entry "):], "entry")

    lines = proof.split("\n")
    check(len(lines) > 3 and lines[0] == "c2sp.org/tlog-proof@v1",
          "not a c2sp.org/tlog-proof@v1 proof")
    i = 2 if lines[1].startswith("extra ") else 1  # Extra data: unauthenticated, unused.
    check(lines[i].startswith("index "), "proof has no index line")
    index = decimal(lines[i][len("index "):], "index")
    path = []
    for i in range(i + 1, len(lines)):
        if lines[i] == "":
            break
        path.append(b64decode(lines[i], "proof hash"))
        check(len(path[-1]) == 32, "proof hash is not 32 bytes")
    else:
        raise Failure("proof has no checkpoint")
    checkpoint = open_signed_note("\n".join(lines[i + 1:]), name, public_key)

    body = checkpoint.split("\n")[:-1]
    check(len(body) >= 3 and all(body), "malformed checkpoint")
    origin, size, root = body[0], decimal(body[1], "tree size"), b64decode(body[2], "root")
    check(len(root) == 32, "checkpoint root hash is not 32 bytes")
    check(origin == name, f"checkpoint origin {origin!r} is not the key name {name!r}")

    leaf_hash = hashlib.sha256(b"\x00" + entry).digest()
    check(root_from_inclusion_proof(index, size, leaf_hash, path) == root,
          f"entry {index} is not in the signed tree of size {size} (entry, index or proof altered)")
    return entry, index, size, origin


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bundle", help="evidence bundle file ('-' for stdin)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--key", help="verifier key: name+keyid+base64key")
    g.add_argument("--key-file", help="file holding the verifier key")
    args = ap.parse_args()
    try:
        vkey = args.key
        if args.key_file:
            with open(args.key_file, encoding="utf-8") as f:
                vkey = f.read()
        if args.bundle == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.bundle, "rb") as f:
                data = f.read()
        try:
            bundle = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Failure("bundle is not UTF-8 text")
        entry, index, size, origin = verify_bundle(bundle, vkey)
    except (Failure, OSError) as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    print(entry.decode("utf-8", errors="replace"))
    print(f"entry {index} is in the ledger {origin} of {size} entries, signed by its key")
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
