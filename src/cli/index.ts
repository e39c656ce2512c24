#!/usr/bin/env bun
// The entry stays tiny on purpose: SIGINT/SIGTERM are taken over before the rest of the program loads, so a stop
// requested at any moment of start-up is honoured at the next safe point instead of killing the process (stop.ts).
import { pauseForTest } from "@/util/test-pause"
import { stopSignal, takeOverStopSignals } from "./stop"

takeOverStopSignals()
pauseForTest("entry")
const { run } = await import("./main")
run(process.argv.slice(2), stopSignal)
