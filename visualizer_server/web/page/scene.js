// The visualization: a ring of bars that follow the spectrum, a core that swells with the
// bass, a camera that circles. Everything is a function of the frame index and its spectrum.
import * as THREE from "three";
import { BANDS } from "../sdk/audio_levels.js";

export class VisualizerScene {
  constructor(canvas, width, height) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(1);
    this.renderer.setSize(width, height, false);
    this.scene = new THREE.Scene();
    this.camera = new THREE.PerspectiveCamera(50, width / height, 0.1, 100);
    this.scene.add(new THREE.AmbientLight(0xffffff, 0.4));
    const light = new THREE.PointLight(0xffffff, 60);
    light.position.set(0, 6, 6);
    this.scene.add(light);
    this.bars = [];
    for (let band = 0; band < BANDS; band++) {
      const material = new THREE.MeshStandardMaterial({ color: new THREE.Color().setHSL(band / BANDS, 0.8, 0.55) });
      const bar = new THREE.Mesh(new THREE.BoxGeometry(0.25, 1, 0.25), material);
      const angle = (band / BANDS) * Math.PI * 2;
      bar.position.set(Math.cos(angle) * 3, 0, Math.sin(angle) * 3);
      this.scene.add(bar);
      this.bars.push(bar);
    }
    this.core = new THREE.Mesh(new THREE.IcosahedronGeometry(1, 2),
      new THREE.MeshStandardMaterial({ color: 0xffffff, flatShading: true, metalness: 0.3, roughness: 0.4 }));
    this.scene.add(this.core);
  }

  /** Draw frame `index` (at `fps`) for `bands`, the spectrum of that instant. */
  render(index, fps, bands) {
    const t = index / fps;
    const bass = (bands[0] + bands[1] + bands[2]) / 3;
    this.bars.forEach((bar, band) => {
      const level = 0.1 + 4 * bands[band];
      bar.scale.y = level;
      bar.position.y = level / 2 - 1;
    });
    this.core.scale.setScalar(0.8 + 1.2 * bass);
    this.core.rotation.set(t * 0.7, t * 1.1, 0);
    this.core.material.color.setHSL((t * 0.1) % 1, 0.7, 0.5 + 0.3 * bass);
    this.scene.background = new THREE.Color().setHSL((0.6 + t * 0.02) % 1, 0.5, 0.08 + 0.1 * bass);
    this.camera.position.set(Math.cos(t * 0.4) * 7, 2.5 + Math.sin(t * 0.3), Math.sin(t * 0.4) * 7);
    this.camera.lookAt(0, 0, 0);
    this.renderer.render(this.scene, this.camera);
  }

  dispose() {
    this.renderer.dispose();
  }
}
