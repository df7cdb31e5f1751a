#!/usr/bin/env python3
# Regenerates the golden signed notes in this directory, independently of
# custody's C++ code (Ed25519 by OpenSSL via python3-cryptography). Ed25519 is
# deterministic, so running this again produces the same bytes.
# The seeds below are TEST KEYS, public on purpose: never use them elsewhere.
import base64, hashlib, pathlib
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = pathlib.Path(__file__).parent
ORIGIN = "custody.example/ledger/test"
# RFC 6962 root of the 5 first standard test leaves (transparency-dev/merkle).
ROOT = bytes.fromhex("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4")


def key(label):
    seed = hashlib.sha256(label.encode()).digest()
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    return seed, sk, sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name, pub):
    return hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]


def sig_line(name, sk, pub, text):
    blob = key_id(name, pub) + sk.sign(text.encode())
    return "\u2014 " + name + " " + base64.b64encode(blob).decode() + "\n"


def body(size_line):
    return ORIGIN + "\n" + size_line + "\n" + base64.b64encode(ROOT).decode() + "\n"


seed, sk, pub = key("custody test signer 1")
_, other_sk, other_pub = key("custody test signer 2")
_, wit_sk, wit_pub = key("custody test witness")
WITNESS = "witness.example/w1"

vkey = ORIGIN + "+" + key_id(ORIGIN, pub).hex() + "+" + base64.b64encode(b"\x01" + pub).decode()
valid = body("5") + "\n" + sig_line(ORIGIN, sk, pub, body("5"))
files = {
    "signer.seed.hex": seed.hex() + "\n",
    "verifier.vkey": vkey + "\n",
    "checkpoint.valid": valid,
    "checkpoint.cosigned": body("5") + "\n" + sig_line(WITNESS, wit_sk, wit_pub, body("5"))
                           + sig_line(ORIGIN, sk, pub, body("5")),
    "checkpoint.crlf": valid.replace("\n", "\r\n"),
    "checkpoint.no-final-newline": valid[:-1],
    "checkpoint.truncated": valid[:-20],
    "checkpoint.double-hyphen": valid.replace("\u2014", "--"),
    "checkpoint.leading-zero-size": body("05") + "\n" + sig_line(ORIGIN, sk, pub, body("05")),
    "checkpoint.plus-size": body("+5") + "\n" + sig_line(ORIGIN, sk, pub, body("+5")),
    "checkpoint.wrong-key": body("5") + "\n" + sig_line(ORIGIN, other_sk, other_pub, body("5")),
    # "5" -> "4" is a one-bit flip of the size line; the signature is kept.
    "checkpoint.bit-flipped": valid.replace("\n5\n", "\n4\n", 1),
}
for name, data in files.items():
    (HERE / name).write_bytes(data.encode())
