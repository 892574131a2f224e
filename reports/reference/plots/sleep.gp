set terminal pngcairo size 1000,600 noenhanced
set output 'reports/latest/plots/sleep.png'
set title 'sleep: median wall time per case (log scale; missing = skipped or refused)'
set logscale y
set ylabel 'seconds'
set key outside right
set grid ytics
set xtics rotate by -30
set datafile missing 'NaN'
set style data linespoints
plot for [i=2:6] 'reports/latest/plots/sleep.dat' using i:xtic(1) title columnheader(i)
