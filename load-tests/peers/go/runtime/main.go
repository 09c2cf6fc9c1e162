// Go peer of the runtime benchmark (load-tests/runtime/scenario.ts): the same cases as the
// JavaScript implementations, measured the same way, one case per process.
//
//	runtime pingpong|buffered|select <targetMs>   → {"ns_per_op":..., ...}
//	runtime parked <goroutines>                    → {"bytes_per_g":..., "spawn_ms":..., ...}
//
// Prints one JSON object on stdout. Standard library only.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// cpuNs is the CPU time (user + system, all threads) the process has used so far.
func cpuNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// pingpong: two goroutines exchange a value over two unbuffered channels n times.
func pingpong(n int) map[string]float64 {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	return nil
}

// buffered: a producer sends n values through a channel of capacity 1024 to a consumer.
func buffered(n int) map[string]float64 {
	ch := make(chan int, 1024)
	done := make(chan int)
	go func() {
		s := 0
		for v := range ch {
			s += v
		}
		done <- s
	}()
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
	<-done
	return nil
}

// selectTwo: select over two channels that are always ready (each refilled after it is chosen).
func selectTwo(n int) map[string]float64 {
	a, b := make(chan int, 1), make(chan int, 1)
	a <- 0
	b <- 1
	var c0, c1 float64
	for i := 0; i < n; i++ {
		select {
		case v := <-a:
			c0++
			a <- v
		case v := <-b:
			c1++
			b <- v
		}
	}
	return map[string]float64{"count_0": c0, "count_1": c1}
}

// measure calibrates n until one run lasts at least 30 ms, then runs for about targetMs.
func measure(f func(int) map[string]float64, targetMs float64) map[string]float64 {
	n := 1000
	var per float64
	for {
		t0 := time.Now()
		f(n)
		el := time.Since(t0)
		if el >= 30*time.Millisecond || n >= 1<<26 {
			per = float64(el.Nanoseconds()) / float64(n)
			break
		}
		n *= 2
	}
	big := int(targetMs * 1e6 / per)
	if big < n {
		big = n
	}
	c0 := cpuNs()
	t0 := time.Now()
	extra := f(big)
	el := time.Since(t0)
	cpu := cpuNs() - c0
	out := map[string]float64{
		"ns_per_op":     float64(el.Nanoseconds()) / float64(big),
		"cpu_ns_per_op": float64(cpu) / float64(big),
		"ops":           float64(big),
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// parked: n goroutines parked on receive (1000 per channel, as the JS peers), memory and time.
func parked(n int) map[string]float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	chans := make([]chan int, 0, n/1000+1)
	done := make(chan struct{}, 1)
	var finished int64
	counter := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		if i%1000 == 0 {
			chans = append(chans, make(chan int))
		}
		ch := chans[len(chans)-1]
		go func() {
			<-ch
			counter <- struct{}{}
		}()
	}
	// Wait until every goroutine is parked (the scheduler may not have run them all yet).
	for runtime.NumGoroutine() < n+1 {
		runtime.Gosched()
	}
	spawn := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	used := float64((after.HeapInuse + after.StackInuse) - (before.HeapInuse + before.StackInuse))
	sys := float64(after.Sys - before.Sys)
	t1 := time.Now()
	go func() {
		for range counter {
			finished++
			if finished == int64(n) {
				done <- struct{}{}
				return
			}
		}
	}()
	for _, ch := range chans {
		close(ch)
	}
	<-done
	release := time.Since(t1)
	return map[string]float64{
		"bytes_per_g": used / float64(n),
		"heap_mb":     used / (1 << 20),
		"sys_mb":      sys / (1 << 20),
		"spawn_ms":    float64(spawn.Nanoseconds()) / 1e6,
		"release_ms":  float64(release.Nanoseconds()) / 1e6,
		"goroutines":  float64(n),
	}
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: runtime pingpong|buffered|select <targetMs> | parked <n>")
		os.Exit(2)
	}
	arg, err := strconv.ParseFloat(os.Args[2], 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var out map[string]float64
	switch os.Args[1] {
	case "pingpong":
		out = measure(pingpong, arg)
	case "buffered":
		out = measure(buffered, arg)
	case "select":
		out = measure(selectTwo, arg)
	case "parked":
		out = parked(int(arg))
	default:
		fmt.Fprintln(os.Stderr, "unknown case", os.Args[1])
		os.Exit(2)
	}
	out["gomaxprocs"] = float64(runtime.GOMAXPROCS(0))
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
