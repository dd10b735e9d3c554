module hyperv-restore/bench/latency-proxy

go 1.25
