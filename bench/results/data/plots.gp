set terminal pngcairo size 900,560 font "sans,10"
set grid
set key top left
set output "/work/main/bench/results/virtfun_factorial.png"
set title "VirtFun factorial(51): 5 000 000 repetitions split over invocations (median, min–max)"
set logscale xy
set xlabel "invocations"
set ylabel "seconds"
set format x '10^{%L}'
plot "/work/main/bench/results/data/virtfun_factorial.dat" using 1:2:3:4 with yerrorlines lw 2 title "Host-Host", "/work/main/bench/results/data/virtfun_factorial.dat" using 1:5:6:7 with yerrorlines lw 2 title "Host-Host, sliced", "/work/main/bench/results/data/virtfun_factorial.dat" using 1:8:9:10 with yerrorlines lw 2 title "Guest-Host, process", "/work/main/bench/results/data/virtfun_factorial.dat" using 1:11:12:13 with yerrorlines lw 2 title "Guest-Host, VM", "/work/main/bench/results/data/virtfun_factorial.dat" using 1:14:15:16 with yerrorlines lw 2 title "Guest-Net (TCP loopback)"
unset logscale
set format x
set output "/work/main/bench/results/virtfun_fibonacci.png"
set title "VirtFun fibonacci(93): 5 000 000 repetitions split over invocations (median, min–max)"
set logscale xy
set xlabel "invocations"
set ylabel "seconds"
set format x '10^{%L}'
plot "/work/main/bench/results/data/virtfun_fibonacci.dat" using 1:2:3:4 with yerrorlines lw 2 title "Host-Host", "/work/main/bench/results/data/virtfun_fibonacci.dat" using 1:5:6:7 with yerrorlines lw 2 title "Host-Host, sliced", "/work/main/bench/results/data/virtfun_fibonacci.dat" using 1:8:9:10 with yerrorlines lw 2 title "Guest-Host, process", "/work/main/bench/results/data/virtfun_fibonacci.dat" using 1:11:12:13 with yerrorlines lw 2 title "Guest-Host, VM", "/work/main/bench/results/data/virtfun_fibonacci.dat" using 1:14:15:16 with yerrorlines lw 2 title "Guest-Net (TCP loopback)"
unset logscale
set format x
set output "/work/main/bench/results/virtfun_ratios.png"
set title "VirtFun ratios per column (median of per-run ratios)"
set logscale xy
set xlabel "invocations"
set ylabel "ratio"
set format x '10^{%L}'
plot "/work/main/bench/results/data/virtfun_factorial.dat" using 1:17 with linespoints lw 2 title "GH/HH factorial", "/work/main/bench/results/data/virtfun_factorial.dat" using 1:18 with linespoints lw 2 title "GN/GH factorial", "/work/main/bench/results/data/virtfun_factorial.dat" using 1:19 with linespoints lw 2 title "GV/HH factorial", "/work/main/bench/results/data/virtfun_fibonacci.dat" using 1:17 with linespoints lw 2 title "GH/HH fibonacci", "/work/main/bench/results/data/virtfun_fibonacci.dat" using 1:18 with linespoints lw 2 title "GN/GH fibonacci", "/work/main/bench/results/data/virtfun_fibonacci.dat" using 1:19 with linespoints lw 2 title "GV/HH fibonacci", 1.01 dt 2 lc "gray" title "GH/HH, GV/HH goal 1.01", 5 dt 3 lc "gray" title "GN/GH goal 5"
unset logscale
set format x
set output "/work/main/bench/results/offload_latency.png"
set title "Offload round trip, one call in flight (median over rounds, min–max)"
set logscale y
set ylabel "µs"
unset xlabel
set style fill solid 0.5
set boxwidth 0.35
set xtics rotate by -25
set yrange [0.005:*]
set xrange [-0.6:*]
set bmargin 6
plot "/work/main/bench/results/data/offload.dat" using ($0-0.18):2:xtic(1) with boxes title "p50 (median over rounds)", "" using ($0-0.18):2:3:4 with yerrorbars lc "black" pt 0 title "p50 min–max", "" using ($0+0.18):5 with boxes title "p99 (median over rounds)"
unset logscale
unset style
set boxwidth
set xtics norotate
set yrange [*:*]
set xrange [*:*]
set bmargin
set output "/work/main/bench/results/channel_rate.png"
set title "memif channel, 64 B ping-pong: hostlane echo (A) vs DPDK memif pair (B)"
set ylabel "Mpps"
set xlabel "pair"
set style fill solid 0.5
set boxwidth 0.35
set yrange [0:*]
plot "/work/main/bench/results/data/memif.dat" using ($1-0.18):2 with boxes title "A hostlane", "" using ($1+0.18):3 with boxes title "B DPDK memif"
unset style
set boxwidth
set yrange [*:*]
set output "/work/main/bench/results/pvswitch_rate.png"
set title "PV switch, 64 B vhost-user → null: hostlane (A), testpmd (B), OVS-DPDK (C)"
set ylabel "Mpps"
set xlabel "round"
set style fill solid 0.5
set boxwidth 0.25
set yrange [0:*]
plot "/work/main/bench/results/data/pvswitch.dat" using ($1-0.27):2 with boxes title "A hostlane", "" using ($1):3 with boxes title "B testpmd", "" using ($1+0.27):4 with boxes title "C OVS-DPDK"
unset style
set boxwidth
set yrange [*:*]
set output "/work/main/bench/results/vf_alloc_holders.png"
set multiplot layout 1,2 title "FlexVF in simulation: VFs held per group of 25 guests, 50 VFs"
set xlabel "simulated time (s), one bar per round"
set ylabel "VFs held, stacked by group"
set yrange [0:62]
set key top left horizontal
set style fill solid 0.8 border -1
set boxwidth 270
set title "fair"
plot "/work/main/bench/results/data/vf_alloc.dat" using 1:($2+$3+$4+$5) with boxes title "20k pps", "/work/main/bench/results/data/vf_alloc.dat" using 1:($3+$4+$5) with boxes title "40k pps", "/work/main/bench/results/data/vf_alloc.dat" using 1:($4+$5) with boxes title "80k pps", "/work/main/bench/results/data/vf_alloc.dat" using 1:($5) with boxes title "100k pps"
set title "activity"
plot "/work/main/bench/results/data/vf_alloc.dat" using 1:($6+$7+$8+$9) with boxes title "20k pps", "/work/main/bench/results/data/vf_alloc.dat" using 1:($7+$8+$9) with boxes title "40k pps", "/work/main/bench/results/data/vf_alloc.dat" using 1:($8+$9) with boxes title "80k pps", "/work/main/bench/results/data/vf_alloc.dat" using 1:($9) with boxes title "100k pps"
unset multiplot
set yrange [*:*]
set title
unset style
set boxwidth
set key top left
