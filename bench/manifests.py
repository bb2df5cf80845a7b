#!/usr/bin/env python3
"""Writes the benchmarks' manifests: C clusters (directories c0..c{C-1}) of N Ingresses, each to its own Service app-i
with one EndpointSlice of E ready endpoints (addresses 10.c.x.y), 100 apps per file apps-K.yaml, and the default
IngressClass. With --export every Service also gets a ServiceExport (merged across clusters, issue 14).
  bench/manifests.py OUTDIR [--clusters C] [--ingresses N] [--endpoints E] [--export]
Used by bench/multicluster-propagation.sh and bench/compiler-restart.sh."""
import argparse, os

CLASS = """apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: signalbox
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: signalbox.dev/ingress-controller
"""

a = argparse.ArgumentParser()
a.add_argument("out")
a.add_argument("--clusters", type=int, default=1)
a.add_argument("--ingresses", type=int, default=1000)
a.add_argument("--endpoints", type=int, default=10)
a.add_argument("--export", action="store_true")
o = a.parse_args()
C, N, E = o.clusters, o.ingresses, o.endpoints
for c in range(C):
    d = f"{o.out}/c{c}"; os.makedirs(d)
    open(f"{d}/class.yaml", "w").write(CLASS)
    for f in range((N + 99) // 100):
        docs = []
        for i in range(f * 100, min(N, (f + 1) * 100)):
            eps = "\n".join(f'- addresses: ["10.{c}.{(i * E + e) // 256 % 256}.{(i * E + e) % 256}"]\n  conditions:\n    ready: true'
                            for e in range(E))
            docs.append(f"apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\n  namespace: apps\nspec:\n  ports:\n"
                        f"  - name: http\n    port: 80\n    targetPort: http\n")
            if o.export:
                docs.append(f"apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata:\n  name: app-{i}\n"
                            f"  namespace: apps\n")
            docs.append(f"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: app-{i}-x\n  namespace: apps\n"
                        f"  labels:\n    kubernetes.io/service-name: app-{i}\naddressType: IPv4\nports:\n- name: http\n  port: 8080\n"
                        f"endpoints:\n{eps}\n")
            docs.append(f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app-{i}\n  namespace: apps\nspec:\n"
                        f"  rules:\n  - host: app-{i}.mc.test\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
                        f"        backend:\n          service:\n            name: app-{i}\n            port:\n              name: http\n")
        open(f"{d}/apps-{f}.yaml", "w").write("---\n".join(docs))
