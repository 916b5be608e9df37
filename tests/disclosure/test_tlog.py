"""The transparency log's core (disclosure/tlog.py) against the published vectors: RFC 6962 hashes
and the reference tree of transparency-dev/merkle (its proof probes in tlog_merkle_probes.json),
the signed-note examples of c2sp.org/signed-note and golang.org/x/mod/sumdb/note, and a real
checkpoint of a public log cosigned by a public witness. No database: plain functions."""
import base64
import hashlib
import json
import pathlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from disclosure import tlog
from disclosure.tlog import MalformedError, ProofError, SignatureError, UnverifiedError

PROBES = json.loads((pathlib.Path(__file__).parent / "tlog_merkle_probes.json").read_text())

# transparency-dev/merkle testonly/constants.go: the leaves and the roots of sizes 0 to 8.
LEAVES = [bytes.fromhex(h) for h in
          ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# transparency-dev/merkle cmd/proofgen: (index, size, proof) and (size1, size2, proof), indexes from 0.
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]

# c2sp.org/signed-note, "Example".
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONn"
             "cAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")
# golang.org/x/mod sumdb/note/note_test.go.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = ("— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJn"
             "AM=\n")
ENOCH_SIG = ("— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ"
             "=\n")
# A checkpoint of Google's public staging CT log arche2025h1, cosigned by the public witness
# remora.n621.de (cosignature/v1) among others, with both public keys.
ARCHE = "arche2025h1.staging.ct.transparency.dev"
ARCHE_VKEY = "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
ARCHE_CHECKPOINT = """arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
"""
# c2sp.org/tlog-checkpoint and tlog-cosignature, their example.
SOFA_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SOFA_COSIGNATURE = ("— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqh"
                    "f5nNo0xUe+mbIUBkBIfZ+qnA==\n")


def h(hex_hashes):
    return [bytes.fromhex(x) for x in hex_hashes]


def d64(text):
    return base64.b64decode(text or "")


@pytest.fixture
def leaf_hashes():
    return [tlog.leaf_hash(leaf) for leaf in LEAVES]


# --- Merkle tree ---

def test_rfc6962_hashes_match_the_reference():
    assert tlog.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert tlog.leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert tlog.leaf_hash(b"L123456").hex() == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    assert tlog.node_hash(b"N123", b"N456").hex() == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    # sumdb/tlog note_test.go: RecordHash("hello world") in its tree note.
    assert tlog.b64(tlog.leaf_hash(b"hello world")) == "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="


def test_roots_of_the_reference_tree(leaf_hashes):
    assert [tlog.tree_root(leaf_hashes[:n]).hex() for n in range(9)] == ROOTS


@pytest.mark.parametrize("index,size,proof", INCLUSION)
def test_inclusion_proofs_are_the_reference_ones(leaf_hashes, index, size, proof):
    assert tlog.inclusion_proof(tlog.memory_reader(leaf_hashes[:size]), index, size) == h(proof)
    tlog.verify_inclusion(leaf_hashes[index], index, size, h(proof), bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize("size1,size2,proof", CONSISTENCY)
def test_consistency_proofs_are_the_reference_ones(leaf_hashes, size1, size2, proof):
    assert tlog.consistency_proof(tlog.memory_reader(leaf_hashes[:size2]), size1, size2) == h(proof)
    tlog.verify_consistency(size1, size2, h(proof), bytes.fromhex(ROOTS[size1]), bytes.fromhex(ROOTS[size2]))


@pytest.mark.parametrize("probe", PROBES["inclusion"], ids=lambda p: p["file"])
def test_inclusion_probes(probe):
    def verify():
        tlog.verify_inclusion(d64(probe["leafHash"]), probe["leafIdx"], probe["treeSize"],
                              [d64(p) for p in probe["proof"] or []], d64(probe["root"]))
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify()
    else:
        verify()


@pytest.mark.parametrize("probe", PROBES["consistency"], ids=lambda p: p["file"])
def test_consistency_probes(probe):
    def verify():
        tlog.verify_consistency(probe["size1"], probe["size2"], [d64(p) for p in probe["proof"] or []],
                                d64(probe["root1"]), d64(probe["root2"]))
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify()
    else:
        verify()


def test_every_proof_of_trees_up_to_33_leaves_verifies():
    leaves = [tlog.leaf_hash(str(i).encode()) for i in range(33)]
    for size in range(1, 34):
        read, root = tlog.memory_reader(leaves[:size]), tlog.tree_root(leaves[:size])
        for index in range(size):
            tlog.verify_inclusion(leaves[index], index, size, tlog.inclusion_proof(read, index, size), root)
        for size1 in range(1, size + 1):
            proof = tlog.consistency_proof(read, size1, size)
            tlog.verify_consistency(size1, size, proof, tlog.tree_root(leaves[:size1]), root)


def test_stored_node_hashes_give_the_same_proofs_without_the_leaves():
    """The portal keeps new_nodes' rows by (level, index); proofs are read from them alone."""
    leaves = [tlog.leaf_hash(f"record {i}".encode()) for i in range(21)]
    stored = {}
    for index, leaf in enumerate(leaves):
        for level, node, value in tlog.new_nodes(lambda lv, i: stored[lv, i], index, leaf):
            stored[level, node] = value
    assert (4, 0) in stored and (4, 1) not in stored  # complete subtrees only
    read, memory = (lambda level, index: stored[level, index]), tlog.memory_reader(leaves)
    assert tlog.range_root(read, 0, 21) == tlog.tree_root(leaves)
    assert tlog.inclusion_proof(read, 19, 21) == tlog.inclusion_proof(memory, 19, 21)
    assert tlog.consistency_proof(read, 13, 21) == tlog.consistency_proof(memory, 13, 21)


def test_a_truncated_log_does_not_have_the_published_root(leaf_hashes):
    proof = tlog.inclusion_proof(tlog.memory_reader(leaf_hashes[:7]), 3, 7)
    with pytest.raises(ProofError, match="not in the tree"):
        tlog.verify_inclusion(leaf_hashes[3], 3, 7, proof, bytes.fromhex(ROOTS[8]))
    assert tlog.tree_root(leaf_hashes[:7]).hex() != ROOTS[8]


def test_a_reordered_log_does_not_have_the_published_root(leaf_hashes):
    reordered = leaf_hashes[:2] + [leaf_hashes[3], leaf_hashes[2]] + leaf_hashes[4:]
    assert tlog.tree_root(reordered).hex() != ROOTS[8]
    with pytest.raises(ProofError, match="not in the tree"):
        tlog.verify_inclusion(reordered[2], 2, 8, tlog.inclusion_proof(tlog.memory_reader(reordered), 2, 8),
                              bytes.fromhex(ROOTS[8]))


def test_a_leaf_not_in_the_log_has_no_proof(leaf_hashes):
    proof = tlog.inclusion_proof(tlog.memory_reader(leaf_hashes), 4, 8)
    with pytest.raises(ProofError, match="leaf 4 is not in the tree of size 8"):
        tlog.verify_inclusion(tlog.leaf_hash(b"never logged"), 4, 8, proof, bytes.fromhex(ROOTS[8]))
    with pytest.raises(ProofError):  # the right leaf, at the wrong index
        tlog.verify_inclusion(leaf_hashes[4], 5, 8, proof, bytes.fromhex(ROOTS[8]))


def test_a_proof_longer_or_shorter_than_the_tree_is_deep_is_refused(leaf_hashes):
    read, root = tlog.memory_reader(leaf_hashes), bytes.fromhex(ROOTS[8])
    proof = tlog.inclusion_proof(read, 2, 8)
    with pytest.raises(ProofError, match="inclusion proof is longer"):
        tlog.verify_inclusion(leaf_hashes[2], 2, 8, proof + [root], root)
    with pytest.raises(ProofError, match="inclusion proof is shorter"):
        tlog.verify_inclusion(leaf_hashes[2], 2, 8, proof[:-1], root)
    consistency = tlog.consistency_proof(read, 6, 8)
    with pytest.raises(ProofError, match="consistency proof is longer"):
        tlog.verify_consistency(6, 8, consistency + [root], bytes.fromhex(ROOTS[6]), root)


def test_an_index_outside_the_tree_is_refused(leaf_hashes):
    read = tlog.memory_reader(leaf_hashes)
    for index, size in [(8, 8), (0, 0), (-1, 8)]:
        with pytest.raises(ProofError, match="is not in a tree of size"):
            tlog.inclusion_proof(read, index, size)
        with pytest.raises(ProofError, match="is not in a tree of size"):
            tlog.verify_inclusion(leaf_hashes[0], index, size, [], tlog.EMPTY_ROOT)


def test_a_rewritten_history_is_not_consistent(leaf_hashes):
    rewritten = leaf_hashes[:2] + [tlog.leaf_hash(b"changed")] + leaf_hashes[3:]
    proof = tlog.consistency_proof(tlog.memory_reader(rewritten), 5, 8)
    with pytest.raises(ProofError, match="does not extend the tree of size 5"):
        tlog.verify_consistency(5, 8, proof, bytes.fromhex(ROOTS[5]), tlog.tree_root(rewritten))


def test_consistency_needs_sizes_in_order_and_a_non_empty_first_tree(leaf_hashes):
    read = tlog.memory_reader(leaf_hashes)
    for size1, size2 in [(0, 8), (8, 5)]:
        with pytest.raises(ProofError, match="no consistency proof"):
            tlog.consistency_proof(read, size1, size2)
        with pytest.raises(ProofError, match="no consistency proof"):
            tlog.verify_consistency(size1, size2, [], tlog.EMPTY_ROOT, tlog.EMPTY_ROOT)


# --- Keys and signed notes ---

def test_the_signed_note_spec_example_verifies():
    opened = tlog.open_note(SPEC_NOTE, [tlog.parse_vkey(SPEC_VKEY)])
    assert opened.text == "This is an example message.\n"
    assert [v.name for v in opened.verified] == ["example.com/foo"]


def test_key_id_is_the_first_four_bytes_of_the_sha256_of_name_newline_type_key():
    verifier = tlog.parse_vkey(SPEC_VKEY)
    digest = hashlib.sha256(b"example.com/foo\n\x01" + verifier.public).digest()
    assert verifier.key_id == 0x530D903A == int.from_bytes(digest[:4], "big")
    assert tlog.Verifier("example.com/foo", tlog.COSIGNATURE_V1, verifier.public).key_id != verifier.key_id
    assert verifier.vkey == SPEC_VKEY


def test_go_signer_key_signs_as_go_does():
    signer = tlog.parse_skey(PETER_SKEY)
    assert signer.skey == PETER_SKEY
    assert signer.verifier().vkey == PETER_VKEY
    assert tlog.sign(TEXT, signer).line == PETER_SIG  # Ed25519 is deterministic


def test_a_vkey_whose_base64_holds_a_plus_sign_parses():
    assert tlog.parse_vkey("foo+1573814f+ATnT68N1+aPhXIQhFQ0X6jekt0UsUk/iyE8dWHb3g9GN").name == "foo"


def test_a_mangled_vkey_or_skey_is_refused():
    """As Go's TestNewVerifier and TestNewSigner: every part and every changed byte fails."""
    for key, parse in [(PETER_VKEY, tlog.parse_vkey), (PETER_SKEY, tlog.parse_skey)]:
        for i in range(len(key)):
            for j in range(i + 1, len(key) + 1):
                if (i, j) != (0, len(key)):
                    with pytest.raises(MalformedError):
                        parse(key[i:j])
            with pytest.raises(MalformedError):
                parse(key[:i] + chr(ord(key[i]) + 1) + key[i + 1:])


def test_a_vkey_of_another_algorithm_or_length_is_refused():
    with pytest.raises(MalformedError, match="not an Ed25519 key"):
        tlog.parse_vkey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(MalformedError, match="not canonical base64"):  # Go's wrong-length example
        tlog.parse_vkey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    with pytest.raises(MalformedError, match="not an Ed25519 key"):
        tlog.parse_vkey("PeterNeumann+c74f20a3+" + tlog.b64(b"\x01" + bytes(33)))


def test_signatures_by_unknown_keys_are_listed_not_trusted():
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    opened = tlog.open_note(note, [tlog.parse_vkey(PETER_VKEY)])
    assert [v.name for v in opened.verified] == ["PeterNeumann"]
    assert [(s.name, s.key_id) for s in opened.unknown] == [("EnochRoot", 0xAF0CFE78)]
    both = tlog.open_note(note, [tlog.parse_vkey(PETER_VKEY), tlog.parse_vkey(ENOCH_VKEY)])
    assert [v.name for v in both.verified] == ["PeterNeumann", "EnochRoot"] and both.unknown == []


def test_a_note_signed_by_no_trusted_key_is_refused_and_says_by_whom():
    with pytest.raises(UnverifiedError, match=r"PeterNeumann\+c74f20a3, EnochRoot\+af0cfe78") as refused:
        tlog.open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [tlog.parse_vkey(SPEC_VKEY)])
    assert [s.name for s in refused.value.unknown] == ["PeterNeumann", "EnochRoot"]


def test_a_tampered_note_is_refused():
    with pytest.raises(SignatureError, match=r"PeterNeumann\+c74f20a3 does not verify"):
        tlog.open_note(TEXT.replace("answer", "Answer") + "\n" + PETER_SIG, [tlog.parse_vkey(PETER_VKEY)])


def test_a_bad_signature_by_a_trusted_key_refuses_the_whole_note():
    signer = tlog.generate_signer("example.com/other")
    good = tlog.sign(TEXT, signer).line
    forged = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(SignatureError):
        tlog.open_note(TEXT + "\n" + good + forged, [signer.verifier(), tlog.parse_vkey(PETER_VKEY)])


def test_a_repeated_signature_by_a_trusted_key_is_checked_too():
    """Before or after the good one, a bad line under the trusted name and ID refuses the note."""
    peter = tlog.parse_vkey(PETER_VKEY)
    name, sig = PETER_SIG.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1
    forged = f"{name} {base64.b64encode(bytes(raw)).decode()}\n"
    for lines in (PETER_SIG + forged, forged + PETER_SIG):
        with pytest.raises(SignatureError):
            tlog.open_note(TEXT + "\n" + lines, [peter])
    assert peter in tlog.open_note(TEXT + "\n" + PETER_SIG + PETER_SIG, [peter]).verified


def test_a_known_name_with_another_key_id_is_an_unknown_key():
    """signed-note: a signature matching a known key by name or ID, not both, is ignored."""
    impostor = tlog.generate_signer("PeterNeumann")
    line = tlog.sign(TEXT, impostor).line
    with pytest.raises(UnverifiedError, match="no signature by a trusted key"):
        tlog.open_note(TEXT + "\n" + line, [tlog.parse_vkey(PETER_VKEY)])
    opened = tlog.open_note(TEXT + "\n" + line + PETER_SIG, [tlog.parse_vkey(PETER_VKEY)])
    assert opened.unknown == [tlog.parse_note(TEXT + "\n" + line).sigs[0]]


def test_two_trusted_keys_with_one_name_and_id_are_refused():
    other = tlog.Verifier("PeterNeumann", tlog.ED25519, bytes(32))
    with pytest.raises(MalformedError, match="share the name and ID"):
        tlog.open_note(TEXT + "\n" + PETER_SIG, [tlog.parse_vkey(PETER_VKEY), _same_id(other, 0xC74F20A3)])


def _same_id(verifier, key_id):
    class Colliding(tlog.Verifier):
        @property
        def key_id(self):
            return key_id
    return Colliding(verifier.name, verifier.sig_type, verifier.public)


@pytest.mark.parametrize("msg,match", [
    (TEXT, "text, a blank line, then signature lines"),
    (TEXT + "\n", "text, a blank line, then signature lines"),
    (TEXT + "\n" + PETER_SIG[:-1], "text, a blank line, then signature lines"),
    ("\x01" + TEXT + "\n" + PETER_SIG, "control character"),
    (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter\u00a0Neumann"), "holds a space"),
    (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"), "plus sign"),
    (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "does not start with an em dash"),
    (TEXT + "\n" + PETER_SIG.replace("— ", "- "), "does not start with an em dash"),
    (TEXT + "\n— PeterNeumann AAAA\n", "too short"),
    (TEXT + "\n" + PETER_SIG.replace("— PeterNeumann ", "— PeterNeumann x"), "base64"),
    (TEXT + "\n" + PETER_SIG * (tlog.MAX_SIGNATURES + 1), "more than 100 signatures"),
], ids=["no signatures", "blank line only", "no final newline", "control character", "unicode space in name",
        "plus in name", "text after signatures", "hyphen for em dash", "signature too short", "bad base64",
        "101 signatures"])
def test_malformed_notes_are_refused(msg, match):
    with pytest.raises(MalformedError, match=match):
        tlog.open_note(msg, [tlog.parse_vkey(PETER_VKEY)])


def test_key_names_hold_no_space_and_no_plus():
    for name in ["", "Peter Neumann", "Peter\tNeumann", "Peter+Neumann", "Peter\u2003Neumann"]:
        with pytest.raises(MalformedError, match="empty or holds a space or a plus sign"):
            tlog.generate_signer(name)


def test_only_a_text_ending_in_a_newline_is_signed():
    with pytest.raises(MalformedError, match="ends with a newline"):
        tlog.sign("abc", tlog.parse_skey(PETER_SKEY))
    with pytest.raises(MalformedError, match="control character"):
        tlog.sign("a\x00b\n", tlog.parse_skey(PETER_SKEY))


def test_a_note_that_is_not_utf8_is_refused():
    with pytest.raises(MalformedError, match="not UTF-8"):
        tlog.open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), [tlog.parse_vkey(PETER_VKEY)])


# --- Checkpoints and cosignatures ---

def test_checkpoint_body_parses_and_formats_as_the_spec_example():
    cp = tlog.parse_checkpoint(SOFA_BODY)
    assert (cp.origin, cp.size, cp.extensions) == ("example.com/behind-the-sofa", 20852163, ())
    assert cp.text == SOFA_BODY
    with_ext = tlog.Checkpoint(cp.origin, cp.size, cp.root, ("ext one",))
    assert tlog.parse_checkpoint(with_ext.text) == with_ext


def test_checkpoint_matches_go_sumdb_tree_note():
    cp = tlog.Checkpoint("go.sum database tree", 123456789012, tlog.leaf_hash(b"hello world"))
    assert cp.text == "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"


@pytest.mark.parametrize("body", [
    "example.com/log\n20852163\n",
    "example.com/log\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "example.com/log\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "example.com/log\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "example.com/log\n0xabcdef\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "example.com/log\n9223372036854775808\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
    "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
], ids=["two lines", "leading zero", "negative", "plus sign", "hex size", "size past 2^63-1",
        "root not base64", "root not canonical", "root 30 bytes", "no final newline", "empty extension line",
        "empty origin"])
def test_malformed_checkpoints_are_refused(body):
    with pytest.raises(MalformedError):
        tlog.parse_checkpoint(body)


def test_a_real_cosigned_checkpoint_verifies():
    checked = tlog.verify_checkpoint(ARCHE_CHECKPOINT, ARCHE, [tlog.parse_vkey(ARCHE_VKEY)],
                                     [tlog.parse_vkey(REMORA_VKEY)], quorum=1)
    assert checked.checkpoint.size == 1432088532
    assert checked.cosigned == {"remora.n621.de": 1779573024}


def test_a_real_checkpoint_with_a_changed_size_is_refused():
    with pytest.raises(SignatureError):
        tlog.verify_checkpoint(ARCHE_CHECKPOINT.replace("1432088532", "1432088533"), ARCHE,
                               [tlog.parse_vkey(ARCHE_VKEY)])


def test_a_checkpoint_signed_by_an_unknown_key_is_refused():
    with pytest.raises(UnverifiedError, match="no signature by a trusted key"):
        tlog.verify_checkpoint(ARCHE_CHECKPOINT, ARCHE, [tlog.parse_vkey(SPEC_VKEY)])


def test_a_checkpoint_signed_only_by_a_witness_is_refused():
    with pytest.raises(UnverifiedError, match="no signature by the log"):
        tlog.verify_checkpoint(ARCHE_CHECKPOINT, ARCHE, [tlog.parse_vkey(SPEC_VKEY)],
                               [tlog.parse_vkey(REMORA_VKEY)])


def test_a_checkpoint_of_another_origin_is_refused():
    with pytest.raises(UnverifiedError, match="not from 'example.com/fund'"):
        tlog.verify_checkpoint(ARCHE_CHECKPOINT, "example.com/fund", [tlog.parse_vkey(ARCHE_VKEY)])


def test_cosignatures_by_unknown_witnesses_do_not_count():
    stranger = tlog.generate_signer("witness.example/stranger").verifier(tlog.COSIGNATURE_V1)
    with pytest.raises(UnverifiedError, match="1 known witnesses cosigned the checkpoint, 2 needed"):
        tlog.verify_checkpoint(ARCHE_CHECKPOINT, ARCHE, [tlog.parse_vkey(ARCHE_VKEY)],
                               [tlog.parse_vkey(REMORA_VKEY), stranger], quorum=2)


def test_log_and_witness_keys_have_their_own_types():
    with pytest.raises(MalformedError, match="type 0x01"):
        tlog.verify_checkpoint(ARCHE_CHECKPOINT, ARCHE, [tlog.parse_vkey(ARCHE_VKEY)],
                               [tlog.parse_vkey(ARCHE_VKEY)])


def test_the_spec_cosignature_carries_its_timestamp_after_the_key_id():
    sig = tlog.parse_note(SOFA_BODY + "\n" + SOFA_COSIGNATURE).sigs[0]
    assert struct.unpack(">Q", sig.sig[:8])[0] == 1679315147 and len(sig.sig) == 72


def test_a_cosignature_signs_the_spec_message():
    witness = tlog.generate_signer("witness.example.com/w1")
    sig = tlog.cosign(SOFA_BODY, witness, 1679315147)
    message = b"cosignature/v1\ntime 1679315147\n" + SOFA_BODY.encode()
    Ed25519PublicKey.from_public_bytes(witness.verifier().public).verify(sig.sig[8:], message)
    key = hashlib.sha256(b"witness.example.com/w1\n\x04" + witness.verifier().public).digest()[:4]
    assert base64.b64decode(sig.line.split()[-1])[:12] == key + struct.pack(">Q", 1679315147)


def _log_and_witness():
    log, witness = tlog.generate_signer("example.com/fund"), tlog.generate_signer("witness.example/w1")
    return log, witness, log.verifier(), witness.verifier(tlog.COSIGNATURE_V1)


def test_a_cosignature_with_a_changed_timestamp_is_refused():
    log, witness, log_key, witness_key = _log_and_witness()
    cosig = tlog.cosign(SOFA_BODY.replace("behind-the-sofa", "fund"), witness, 1700000000)
    body = SOFA_BODY.replace("behind-the-sofa", "fund")
    moved = tlog.Signature(cosig.name, cosig.key_id, struct.pack(">Q", 1700000001) + cosig.sig[8:])
    note = body + "\n" + tlog.sign(body, log).line + moved.line
    with pytest.raises(SignatureError, match="witness.example/w1"):
        tlog.verify_checkpoint(note, "example.com/fund", [log_key], [witness_key])


def test_a_cosignature_covers_the_extension_lines():
    log, witness, log_key, witness_key = _log_and_witness()
    body = tlog.Checkpoint("example.com/fund", 1, tlog.leaf_hash(b"a"), ("ext",)).text
    note = body + "\n" + tlog.sign(body, log).line + tlog.cosign(body, witness, 1700000000).line
    assert tlog.verify_checkpoint(note, "example.com/fund", [log_key], [witness_key]).cosigned
    changed = note.replace("ext\n", "exu\n")
    with pytest.raises(SignatureError):
        tlog.verify_checkpoint(changed, "example.com/fund", [log_key])
    with pytest.raises(SignatureError, match="witness.example/w1"):
        tlog.verify_checkpoint(_resign(changed, log), "example.com/fund", [log_key], [witness_key])


def _resign(note, log):
    """The log signs the changed text again; the witness's cosignature stays the old one."""
    parsed = tlog.parse_note(note)
    return str(tlog.Note(parsed.text, (tlog.sign(parsed.text, log),) + parsed.sigs[1:]))


def test_an_empty_tree_has_the_empty_root():
    log, _, log_key, _ = _log_and_witness()
    body = tlog.Checkpoint("example.com/fund", 0, tlog.leaf_hash(b"")).text
    with pytest.raises(ProofError, match="empty tree"):
        tlog.verify_checkpoint(body + "\n" + tlog.sign(body, log).line, "example.com/fund", [log_key])


def test_cosign_refuses_a_text_that_is_not_a_checkpoint_or_a_zero_time():
    witness = tlog.generate_signer("witness.example/w1")
    with pytest.raises(MalformedError):
        tlog.cosign(TEXT, witness, 1700000000)
    with pytest.raises(MalformedError, match="timestamp 0"):
        tlog.cosign(SOFA_BODY, witness, 0)


def test_a_cosignature_of_the_wrong_length_or_time_is_refused():
    log, witness, log_key, witness_key = _log_and_witness()
    body = tlog.Checkpoint("example.com/fund", 1, tlog.leaf_hash(b"a")).text
    good = tlog.cosign(body, witness, 1700000000)
    short = tlog.Signature(good.name, good.key_id, good.sig[:-1])
    with pytest.raises(SignatureError, match="not 8 \\+ 64 bytes"):
        tlog.verify_checkpoint(body + "\n" + tlog.sign(body, log).line + short.line, "example.com/fund",
                               [log_key], [witness_key])
    late = 2**63
    sig = witness.private.sign(f"cosignature/v1\ntime {late}\n{body}".encode())
    too_late = tlog.Signature(good.name, good.key_id, struct.pack(">Q", late) + sig)
    with pytest.raises(SignatureError, match="past 2\\^63 - 1"):
        tlog.verify_checkpoint(body + "\n" + tlog.sign(body, log).line + too_late.line, "example.com/fund",
                               [log_key], [witness_key])


@pytest.mark.parametrize("cp,match", [
    (tlog.Checkpoint("example.com/fund\n7", 1, bytes(32)), "non-empty and single"),
    (tlog.Checkpoint("", 1, bytes(32)), "non-empty and single"),
    (tlog.Checkpoint("example.com/fund", 1, bytes(32), ("",)), "non-empty and single"),
    (tlog.Checkpoint("example.com/fund", -1, bytes(32)), "a size in 0"),
    (tlog.Checkpoint("example.com/fund", 1, bytes(31)), "32-byte root hash"),
], ids=["two-line origin", "empty origin", "empty extension", "negative size", "short root"])
def test_a_checkpoint_that_cannot_be_written_is_refused(cp, match):
    with pytest.raises(MalformedError, match=match):
        cp.text


def test_consistency_proof_hashes_are_32_bytes(leaf_hashes):
    proof = tlog.consistency_proof(tlog.memory_reader(leaf_hashes), 6, 8)
    with pytest.raises(ProofError, match="not 32 bytes"):
        tlog.verify_consistency(6, 8, proof[:-1] + [proof[-1][:31]], bytes.fromhex(ROOTS[6]), bytes.fromhex(ROOTS[8]))


# --- tlog-proof and the witness request ---

def test_proof_text_is_the_spec_layout():
    h1, h2 = hashlib.sha256(b"hash1").digest(), hashlib.sha256(b"hash2").digest()
    proof = tlog.TlogProof(5, (h1, h2), "test checkpoint\n")
    assert str(proof) == f"c2sp.org/tlog-proof@v1\nindex 5\n{tlog.b64(h1)}\n{tlog.b64(h2)}\n\ntest checkpoint\n"
    extra = tlog.TlogProof(10, (h1,), "checkpoint data\n", b"extra information")
    assert str(extra) == (f"c2sp.org/tlog-proof@v1\nextra {tlog.b64(b'extra information')}\nindex 10\n"
                          f"{tlog.b64(h1)}\n\ncheckpoint data\n")
    assert str(tlog.TlogProof(0, (), "checkpoint\n")) == "c2sp.org/tlog-proof@v1\nindex 0\n\ncheckpoint\n"
    for p in (proof, extra):
        assert tlog.parse_proof(str(p)) == p


def test_the_spec_proof_example_parses():
    text = ("c2sp.org/tlog-proof@v1\nextra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\nindex 73894\n"
            "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\nB95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n\n"
            "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n")
    proof = tlog.parse_proof(text)
    assert (proof.index, len(proof.hashes)) == (73894, 2)
    assert proof.extra.startswith(b"age-v1.2.1-darwin-arm64.tar.gz")


@pytest.fixture
def fund_log():
    """A log of 13 records, its checkpoint signed by the log and cosigned by one witness."""
    log, witness, log_key, witness_key = _log_and_witness()
    leaves = [tlog.leaf_hash(f"statement {i}".encode()) for i in range(13)]
    body = tlog.Checkpoint("example.com/fund", 13, tlog.tree_root(leaves)).text
    note = body + "\n" + tlog.sign(body, log).line + tlog.cosign(body, witness, 1700000000).line
    read = tlog.memory_reader(leaves)
    proofs = {i: str(tlog.TlogProof(i, tuple(tlog.inclusion_proof(read, i, 13)), note)) for i in range(13)}
    return leaves, proofs, log_key, witness_key


def test_a_proof_verifies_offline_with_the_log_and_witness_keys(fund_log):
    leaves, proofs, log_key, witness_key = fund_log
    for i, text in proofs.items():
        checked = tlog.verify_proof(text, leaves[i], "example.com/fund", [log_key], [witness_key], quorum=1)
        assert checked.cosigned == {"witness.example/w1": 1700000000}


def test_a_proof_for_another_leaf_or_with_a_changed_hash_is_refused(fund_log):
    leaves, proofs, log_key, _ = fund_log
    with pytest.raises(ProofError, match="leaf 6 is not in the tree"):
        tlog.verify_proof(proofs[6], tlog.leaf_hash(b"statement 99"), "example.com/fund", [log_key])
    first_hash = proofs[6].split("\n")[2]
    changed = proofs[6].replace(first_hash, tlog.b64(bytes(32)), 1)
    with pytest.raises(ProofError):
        tlog.verify_proof(changed, leaves[6], "example.com/fund", [log_key])


def test_a_proof_needs_the_log_signature_and_the_quorum(fund_log):
    leaves, proofs, log_key, witness_key = fund_log
    stranger = tlog.generate_signer("example.com/fund").verifier()
    with pytest.raises(UnverifiedError):
        tlog.verify_proof(proofs[0], leaves[0], "example.com/fund", [stranger], [witness_key])
    with pytest.raises(UnverifiedError, match="0 known witnesses cosigned"):
        tlog.verify_proof(proofs[0], leaves[0], "example.com/fund", [log_key], quorum=1)


@pytest.mark.parametrize("text,match", [
    ("wrong-header\nindex 0\n\ncheckpoint\n", "starts with the line"),
    ("c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\ncheckpoint\n", "extra data is not base64"),
    ("c2sp.org/tlog-proof@v1\n\n\ncheckpoint\n", "has an index line"),
    ("c2sp.org/tlog-proof@v1\n" + tlog.b64(bytes(32)) + "\nindex 0\n\ncheckpoint\n", "has an index line"),
    ("c2sp.org/tlog-proof@v1\nindex notanumber\n\ncheckpoint\n", "not a decimal number"),
    ("c2sp.org/tlog-proof@v1\nindex -5\n\ncheckpoint\n", "not a decimal number"),
    ("c2sp.org/tlog-proof@v1\nindex 05\n\ncheckpoint\n", "not a decimal number"),
    ("c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\ncheckpoint\n", "hash is not base64"),
    ("c2sp.org/tlog-proof@v1\nindex 0\n" + tlog.b64(bytes(64)) + "\n\ncheckpoint\n", "not 32 bytes"),
    ("c2sp.org/tlog-proof@v1\nindex 0\n" + tlog.b64(bytes(32)) + "\n", "blank line before its checkpoint"),
], ids=["header", "extra not base64", "no index", "hash before index", "index not a number", "negative index",
        "leading zero", "hash not base64", "hash 64 bytes", "no checkpoint"])
def test_malformed_proofs_are_refused(text, match):
    with pytest.raises(MalformedError, match=match):
        tlog.parse_proof(text)


def test_add_checkpoint_body_round_trips_and_is_the_spec_layout(leaf_hashes):
    proof = tlog.consistency_proof(tlog.memory_reader(leaf_hashes), 6, 8)
    body = tlog.format_add_checkpoint(6, proof, SOFA_BODY + "\n" + SOFA_COSIGNATURE)
    assert body.startswith("old 6\n" + tlog.b64(proof[0]) + "\n") and "\n\nexample.com/behind-the-sofa\n" in body
    assert tlog.parse_add_checkpoint(body) == (6, tuple(proof), SOFA_BODY + "\n" + SOFA_COSIGNATURE)
    assert tlog.parse_add_checkpoint(tlog.format_add_checkpoint(0, [], "note\n")) == (0, (), "note\n")


@pytest.mark.parametrize("body,match", [
    ("old 6\n" + "\n".join([tlog.b64(bytes(32))] * 64) + "\n\nnote\n", "at most 63"),
    ("old 06\n\nnote\n", "not a decimal number"),
    ("6\n\nnote\n", "an old size line"),
    ("old 6\nnote\n", "an old size line"),
], ids=["64 proof lines", "leading zero", "no old", "no blank line"])
def test_malformed_add_checkpoint_bodies_are_refused(body, match):
    with pytest.raises(MalformedError, match=match):
        tlog.parse_add_checkpoint(body)


def test_the_module_needs_only_the_standard_library_and_cryptography():
    """The offline verifier ships disclosure/tlog.py as it is: no Django, nothing of the project."""
    import ast
    import sys
    tree = ast.parse(pathlib.Path(tlog.__file__).read_text())
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {m.split(".")[0] for m in modules} - set(sys.stdlib_module_names) == {"cryptography"}
