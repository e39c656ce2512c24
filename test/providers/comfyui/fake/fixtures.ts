// Answers and prompts the fake uses as they are: /system_stats, and the prompt another client submits.

/** server.py system_stats, as a ComfyUI on one RTX 4090 answers it. */
export function systemStats(version: string): Record<string, unknown> {
  return {
    system: {
      os: "posix",
      ram_total: 67_108_864_000,
      ram_free: 50_331_648_000,
      comfyui_version: version,
      required_frontend_version: "1.27.10",
      installed_templates_version: "0.1.95",
      required_templates_version: "0.1.95",
      python_version: "3.12.3 (main, Sep 11 2025, 14:09:48) [GCC 13.3.0]",
      pytorch_version: "2.8.0+cu128",
      embedded_python: false,
      argv: ["main.py", "--listen"],
    },
    devices: [
      {
        name: "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync",
        type: "cuda",
        index: 0,
        vram_total: 25_393_692_672,
        vram_free: 23_992_336_384,
        torch_vram_total: 0,
        torch_vram_free: 0,
      },
    ],
  }
}

/** A txt2img prompt as ComfyUI's default workflow has it. */
export function otherGraph(checkpoint: string, steps: number) {
  return {
    "3": {
      class_type: "KSampler",
      inputs: {
        seed: 1,
        steps,
        cfg: 8,
        sampler_name: "euler",
        scheduler: "normal",
        denoise: 1,
        model: ["4", 0],
        positive: ["6", 0],
        negative: ["7", 0],
        latent_image: ["5", 0],
      },
    },
    "4": { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: checkpoint } },
    "5": { class_type: "EmptyLatentImage", inputs: { width: 64, height: 64, batch_size: 1 } },
    "6": { class_type: "CLIPTextEncode", inputs: { text: "someone else's picture", clip: ["4", 1] } },
    "7": { class_type: "CLIPTextEncode", inputs: { text: "", clip: ["4", 1] } },
    "8": { class_type: "VAEDecode", inputs: { samples: ["3", 0], vae: ["4", 2] } },
    "9": { class_type: "SaveImage", inputs: { filename_prefix: "ComfyUI", images: ["8", 0] } },
  }
}
