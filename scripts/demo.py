#!/usr/bin/env python3
"""The SIFT demo: one kNN search, without and with the `sift` rescore clause, side by side.

Run through scripts/demo (which builds the plugin and starts a node); standard library only.

A dataset is a JSON file (see demo-data/planted-duplicates.json):
    {"index": "...", "similarity": "cosine", "index_type": "hnsw", "description": "...",
     "query": {"text": "...", "vector": [...]},
     "docs": [{"id": "...", "text": "...", "vector": [...]}, ...]}
A dataset with real sentence embeddings only needs to be written in this format (the vectors computed
offline by any embedding model); pass it with --data. Everything else stays the same.
"""
import argparse
import json
import re
import shutil
import sys
import textwrap
import urllib.error
import urllib.request


# ------------------------------------------------------------------------------------------- HTTP

def es(url, method, path, body=None, ndjson=False):
    data = None
    headers = {}
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers["Content-Type"] = "application/x-ndjson" if ndjson else "application/json"
    req = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")
        if method == "DELETE" and e.code == 404:
            return None
        sys.exit(f"{method} {path} failed: HTTP {e.code}\n{detail}")
    except urllib.error.URLError as e:
        sys.exit(f"cannot reach Elasticsearch at {url}: {e.reason} (is the node running? scripts/node.sh start)")


# ------------------------------------------------------------------------------------------- data

def load_dataset(path):
    with open(path) as f:
        ds = json.load(f)
    dims = {len(d["vector"]) for d in ds["docs"]} | {len(ds["query"]["vector"])}
    if len(dims) != 1:
        sys.exit(f"{path}: vectors of different dimensions {sorted(dims)}")
    ds["dims"] = dims.pop()
    ds.setdefault("index", "sift-demo")
    ds.setdefault("similarity", "cosine")
    ds.setdefault("index_type", "hnsw")
    return ds


def create_and_fill_index(url, ds):
    index = ds["index"]
    es(url, "DELETE", f"/{index}")
    es(url, "PUT", f"/{index}", {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"properties": {
            "text": {"type": "text"},
            "emb": {"type": "dense_vector", "dims": ds["dims"], "similarity": ds["similarity"],
                    "index_options": {"type": ds["index_type"]}},
        }},
    })
    lines = []
    for doc in ds["docs"]:
        lines.append(json.dumps({"index": {"_index": index, "_id": doc["id"]}}))
        lines.append(json.dumps({"text": doc["text"], "emb": doc["vector"]}))
    resp = es(url, "POST", "/_bulk?refresh=true", "\n".join(lines) + "\n", ndjson=True)
    if resp.get("errors"):
        sys.exit("bulk indexing failed: " + json.dumps(resp)[:2000])


# ------------------------------------------------------------------------------------------- searches

def knn_request(ds, size):
    n = len(ds["docs"])
    return {"size": size, "_source": ["text"],
            "knn": {"field": "emb", "query_vector": ds["query"]["vector"], "k": n, "num_candidates": max(100, n)}}


def sift_request(ds, size, lam, method="sift"):
    req = knn_request(ds, size)
    req["rescore"] = {"window_size": len(ds["docs"]),
                      "sift": {"field": "emb", "query_vector": ds["query"]["vector"], "lambda": lam,
                               "size": size, "method": method, "keep_unselected": True}}
    return req


def hits(url, ds, request):
    resp = es(url, "POST", f"/{ds['index']}/_search", request)
    return [(h["_id"], h["_score"], h["_source"]["text"]) for h in resp["hits"]["hits"]]


# ------------------------------------------------------------------------------------------- output

def side_by_side(left_title, left, right_title, right, width):
    col = (width - 3) // 2
    def cell(rank, hit):
        if hit is None:
            return ""
        doc_id, score, text = hit
        head = f"{rank}. [{doc_id}] {score:.3f}  "
        return head + text
    def wrap(s):
        return textwrap.wrap(s, col, subsequent_indent="      ") or [""]
    print(f"{left_title:<{col}} | {right_title}")
    print(f"{'-' * col}-+-{'-' * col}")
    for i in range(max(len(left), len(right))):
        l = wrap(cell(i + 1, left[i] if i < len(left) else None))
        r = wrap(cell(i + 1, right[i] if i < len(right) else None))
        for j in range(max(len(l), len(r))):
            print(f"{(l[j] if j < len(l) else ''):<{col}} | {r[j] if j < len(r) else ''}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="Elasticsearch URL, e.g. http://127.0.0.1:9200")
    p.add_argument("--data", required=True, help="dataset JSON file")
    p.add_argument("--size", type=int, default=5, help="hits to show (default 5)")
    p.add_argument("--lambda", dest="lam", type=float, default=0.01, help="SIFT's lambda (default 0.01)")
    p.add_argument("--width", type=int, default=max(100, shutil.get_terminal_size((140, 40)).columns),
                   help="output width (default: the terminal's, at least 100)")
    p.add_argument("--show-request", action="store_true", help="print the sift search request")
    args = p.parse_args()

    ds = load_dataset(args.data)
    create_and_fill_index(args.url, ds)
    print(f"Index [{ds['index']}]: {len(ds['docs'])} documents, {ds['dims']}-dim '{ds['similarity']}' vectors "
          f"({ds['index_type']}).")
    if ds.get("description"):
        print(textwrap.fill(ds["description"], args.width))
    print()
    print(f"Query: {ds['query']['text']}")
    print()
    if args.show_request:
        print("POST /" + ds["index"] + "/_search")
        text = json.dumps(sift_request(ds, args.size, args.lam), indent=2)
        # vectors on one line
        text = re.sub(r"\[\s*([-0-9.e,\s]+?)\s*\]", lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]", text)
        print(text)
        print()
    knn = hits(args.url, ds, knn_request(ds, args.size))
    sift = hits(args.url, ds, sift_request(ds, args.size, args.lam))
    side_by_side("kNN (nearest neighbours)", knn, f"kNN + sift rescore (lambda={args.lam})", sift, args.width)
    print()
    print("Scores: kNN shows the similarity score; sift shows its selection score (the pick order; the fraction"
          " is half the share of the query's uncertainty the pick removed).")


if __name__ == "__main__":
    main()
